#include "push/crypto/base64url.hpp"

#include <sodium.h>

namespace flow::push {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
    sodium_bin2base64(text.data(), text.size(),
                      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), kVariant);
    text.resize(text.size() - 1);  // the terminating NUL
    return text;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    // Padding, if any, must fill the last group of 4 (at most "==" of it) exactly.
    std::size_t pads = 0;
    while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
    if (pads > 0) {
        if (pads > 2 || text.size() % 4 != 0) return std::nullopt;
        text.remove_suffix(pads);
    }
    std::string bytes(text.size() * 3 / 4 + 1, '\0');
    std::size_t length = 0;
    // No `ignore` set and no end pointer: any character outside the alphabet fails.
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                          text.size(), nullptr, &length, nullptr, kVariant) != 0) {
        return std::nullopt;
    }
    bytes.resize(length);
    return bytes;
}

}  // namespace flow::push
