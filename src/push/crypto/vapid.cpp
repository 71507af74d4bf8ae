#include "push/crypto/vapid.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

#include "push/crypto/base64url.hpp"
#include "push/crypto/jwt.hpp"

namespace flow::push {
namespace {

constexpr std::string_view kHeader = R"({"typ":"JWT","alg":"ES256"})";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

std::optional<std::string> push_endpoint_origin(std::string_view endpoint_url) {
    auto url = boost::urls::parse_uri(endpoint_url);
    if (!url) return std::nullopt;
    std::string scheme = lower(url->scheme());
    if ((scheme != "https" && scheme != "http") || url->encoded_host().empty()) {
        return std::nullopt;
    }
    std::string origin = scheme + "://" + lower(url->encoded_host());
    std::string_view port = url->port();
    bool default_port = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
    if (!port.empty() && !default_port) {
        origin += ':';
        origin += port;
    }
    return origin;
}

Result<std::string> vapid_authorization(const SigningKey& key, std::string_view endpoint_url,
                                        std::string_view subject, long long expires_at_s) {
    if (!key.is_p256()) return Error::invalid("invalid_key", "a VAPID key must be a P-256 key");
    std::optional<std::string> audience = push_endpoint_origin(endpoint_url);
    if (!audience) return Error::invalid("invalid_push", "the push endpoint is not an http(s) URL");
    // Boost.JSON escapes the subject; an object keeps the order its members were added in.
    boost::json::object claims;
    claims["aud"] = *audience;
    claims["exp"] = expires_at_s;
    claims["sub"] = subject;
    return "vapid t=" + sign_jwt(key, kHeader, boost::json::serialize(claims)) +
           ", k=" + base64url_encode(key.public_key_uncompressed());
}

}  // namespace flow::push
