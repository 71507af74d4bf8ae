#include "push/services/fcm.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "push/crypto/jwt.hpp"

namespace flow::push {

namespace json = boost::json;

namespace {

constexpr const char* kScope = "https://www.googleapis.com/auth/firebase.messaging";
constexpr long long kAssertionSeconds = 3600;
// A token is used until a minute before Google says it expires.
constexpr TimeMs kTokenMarginMs = 60'000;

Error unusable(std::string message) { return Error::unavailable("fcm_unavailable", std::move(message)); }

std::string string_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Result<ServiceAccount> ServiceAccount::from_json(const std::string& text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return Error::invalid("invalid_fcm_credentials", "not a JSON object");
    const auto& o = value.as_object();
    auto key = SigningKey::from_pem(string_field(o, "private_key"));
    if (!key) return Error::invalid("invalid_fcm_credentials", "private_key: " + key.error().message);
    ServiceAccount account{string_field(o, "project_id"), string_field(o, "client_email"),
                           string_field(o, "private_key_id"), string_field(o, "token_uri"), std::move(*key)};
    if (account.project_id.empty() || account.client_email.empty() || account.token_uri.empty())
        return Error::invalid("invalid_fcm_credentials", "a service account key has project_id, client_email and token_uri");
    return account;
}

Result<std::string> FcmService::access_token(TimeMs now) {
    std::lock_guard lock(mutex_);
    if (!token_.empty() && now < token_until_) return token_;
    const long long iat = now / 1000;
    const json::object header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", account_.private_key_id}};
    const json::object claims{{"iss", account_.client_email}, {"scope", kScope}, {"aud", account_.token_uri},
                              {"iat", iat}, {"exp", iat + kAssertionSeconds}};
    const auto assertion = sign_jwt(account_.private_key, json::serialize(header), json::serialize(claims));
    const auto answer = fetch_(account_.token_uri, {"Content-Type: application/x-www-form-urlencoded"},
                               "grant_type=" + boost::urls::encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
                                                                   boost::urls::unreserved_chars) +
                                   "&assertion=" + assertion);
    if (answer.status != 200) return unusable("the token endpoint answered " + std::to_string(answer.status) + " " + answer.error);
    boost::system::error_code ec;
    auto value = json::parse(answer.body, ec);
    const auto* o = !ec && value.is_object() ? &value.as_object() : nullptr;
    const auto token = o ? string_field(*o, "access_token") : std::string();
    const auto* expires = o ? o->if_contains("expires_in") : nullptr;
    if (token.empty() || !expires || !expires->is_int64()) return unusable("the token endpoint's answer has no token");
    token_ = token;
    token_until_ = now + expires->as_int64() * 1000 - kTokenMarginMs;
    return token_;
}

void FcmService::credentials_refused() {
    std::lock_guard lock(mutex_);
    token_.clear();
}

Result<OutgoingPush> FcmService::prepare(const Device& device, const PushContent& content, TimeMs now) {
    auto token = access_token(now);
    if (!token) return std::move(token).error();
    // FCM's data values are strings.
    json::object data;
    for (const auto& [key, value] : ids_json(content))
        data[key] = value.is_string() ? value.as_string() : json::string(json::serialize(value));
    const json::object message{
        {"message",
         {{"token", device.push->token},
          {"data", std::move(data)},
          {"android",
           {{"priority", content.urgent() ? "high" : "normal"},
            {"ttl", std::to_string(content.ttl_ms() / 1000) + "s"},
            {"collapse_key", content.collapse_key()}}}}}};
    OutgoingPush push;
    push.device_id = device.id;
    push.kind = PushKind::fcm;
    push.url = endpoint_ + "/v1/projects/" + account_.project_id + "/messages:send";
    push.headers = {"Authorization: Bearer " + *token, "Content-Type: application/json"};
    push.body = json::serialize(message);
    push.deadline_ms = now + content.ttl_ms();
    return push;
}

}  // namespace flow::push
