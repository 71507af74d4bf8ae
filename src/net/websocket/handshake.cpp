#include "net/websocket/handshake.hpp"

#include <openssl/evp.h>

#include <array>

namespace flow::net::websocket {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// A key is 16 random bytes in base64: 24 characters, the last two '=' padding.
bool valid_key(std::string_view key) {
    if (key.size() != 24 || !key.ends_with("==")) return false;
    std::array<unsigned char, 18> decoded{};
    return EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()),
                           static_cast<int>(key.size())) == 18;
}

}  // namespace

std::string accept_key(std::string_view key) {
    std::string keyed(key);
    keyed += kGuid;
    std::array<unsigned char, 20> digest{};  // SHA-1's
    EVP_Digest(keyed.data(), keyed.size(), digest.data(), nullptr, EVP_sha1(), nullptr);
    std::array<unsigned char, 29> encoded{};  // base64 of 20 bytes, and a NUL
    const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest.size()));
    return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n)};
}

std::optional<std::string> accept_response(std::string_view key, std::string_view version) {
    if (version != "13" || !valid_key(key)) return std::nullopt;
    std::string response =
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ";
    response += accept_key(key);
    response += "\r\n\r\n";
    return response;
}

}  // namespace flow::net::websocket
