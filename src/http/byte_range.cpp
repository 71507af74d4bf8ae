#include "http/byte_range.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace flow::http {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

constexpr ByteRange kWhole{};
constexpr ByteRange kUnsatisfiable{ByteRange::Kind::unsatisfiable, 0, 0};

}  // namespace

ByteRange parse_byte_range(std::string_view header, std::uint64_t size) {
    if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) return kWhole;
    const auto spec = header.substr(6);
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return kWhole;
    const auto first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);

    if (first_text.empty()) {  // the last n bytes
        const auto n = number(last_text);
        if (!n) return kWhole;
        if (*n == 0 || size == 0) return kUnsatisfiable;
        return {ByteRange::Kind::partial, *n >= size ? 0 : size - *n, size - 1};
    }
    const auto first = number(first_text);
    if (!first) return kWhole;
    std::optional<std::uint64_t> last;
    if (!last_text.empty()) {
        last = number(last_text);
        if (!last || *last < *first) return kWhole;
    }
    if (*first >= size) return kUnsatisfiable;
    return {ByteRange::Kind::partial, *first, last ? std::min(*last, size - 1) : size - 1};
}

}  // namespace flow::http
