#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flow::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Which web apps served from other origins may call Flow from a browser (--cors-origins:
// a list of origins, or "*" for any), and the headers that tell the browser so. Tokens go
// in the Authorization header, never in cookies, so no credentials mode is needed and
// "*" is safe. Immutable; thread-safe.
class CorsPolicy {
public:
    CorsPolicy() = default;  // no other origin
    explicit CorsPolicy(std::vector<std::string> origins);

    // The headers an answer to a request from `origin` (its Origin header) carries: none
    // for a request without one, or from an origin not allowed.
    HeaderList answer_headers(std::string_view origin) const;
    // The answer's headers to a preflight (OPTIONS with Access-Control-Request-Method)
    // from `origin`, allowing the method and headers it asks for; nullopt when the origin
    // is not allowed (the request is then answered as any other).
    std::optional<HeaderList> preflight_headers(std::string_view origin, std::string_view requested_headers) const;

private:
    bool allows(std::string_view origin) const;

    std::vector<std::string> origins_;
    bool any_ = false;
};

}  // namespace flow::http
