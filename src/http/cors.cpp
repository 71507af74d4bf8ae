#include "http/cors.hpp"

#include <algorithm>

namespace flow::http {

namespace {

// What a cross-origin script may read of an answer beside the simple headers: rate
// limits, caching and ranges of media, why it was refused, and the id its logs know it by.
constexpr const char* kExposed = "Retry-After, ETag, Content-Range, Accept-Ranges, WWW-Authenticate, Allow, X-Request-Id";
constexpr const char* kMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
constexpr const char* kMaxAgeSeconds = "600";

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {
    any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
}

bool CorsPolicy::allows(std::string_view origin) const {
    return !origin.empty() && (any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end());
}

HeaderList CorsPolicy::answer_headers(std::string_view origin) const {
    if (!allows(origin)) return {};
    if (any_) return {{"Access-Control-Allow-Origin", "*"}, {"Access-Control-Expose-Headers", kExposed}};
    return {{"Access-Control-Allow-Origin", std::string(origin)},
            {"Access-Control-Expose-Headers", kExposed},
            {"Vary", "Origin"}};
}

std::optional<HeaderList> CorsPolicy::preflight_headers(std::string_view origin,
                                                        std::string_view requested_headers) const {
    if (!allows(origin)) return std::nullopt;
    auto headers = answer_headers(origin);
    headers.emplace_back("Access-Control-Allow-Methods", kMethods);
    headers.emplace_back("Access-Control-Allow-Headers",
                         requested_headers.empty() ? std::string("Authorization, Content-Type")
                                                   : std::string(requested_headers));
    headers.emplace_back("Access-Control-Max-Age", kMaxAgeSeconds);
    return headers;
}

}  // namespace flow::http
