#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flow::realtime::engineio {

// Standard base64 (RFC 4648, with padding): how binary packets travel in a polling
// payload. Pure functions, thread-safe.
std::string base64_encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (length a multiple of 4).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace flow::realtime::engineio
