#include "push/services/apns.hpp"

#include <boost/json/serialize.hpp>

#include "push/crypto/jwt.hpp"

namespace flow::push {

namespace json = boost::json;

namespace {

constexpr TimeMs kTokenLifetimeMs = 40 * 60'000;

}  // namespace

std::string ApnsService::provider_token(TimeMs now) {
    std::lock_guard lock(mutex_);
    if (token_.empty() || now - token_signed_at_ >= kTokenLifetimeMs) {
        const json::object header{{"alg", "ES256"}, {"kid", credentials_.key_id}};
        const json::object claims{{"iss", credentials_.team_id}, {"iat", now / 1000}};
        token_ = sign_jwt(credentials_.key, json::serialize(header), json::serialize(claims));
        token_signed_at_ = now;
    }
    return token_;
}

void ApnsService::credentials_refused() {
    std::lock_guard lock(mutex_);
    token_.clear();
}

Result<OutgoingPush> ApnsService::prepare(const Device& device, const PushContent& content, TimeMs now) {
    const bool voip = device.push->voip;
    if (voip && !content.urgent()) return Error::invalid("voip_only", "a VoIP registration takes calls only");
    json::object body = ids_json(content);
    // Every payload has an aps dictionary; a VoIP push's is empty, as PushKit hands the
    // ids to the app, which rings.
    json::object aps;
    if (!voip) {
        aps = {{"mutable-content", 1}, {"sound", "default"}};
        aps["alert"] = json::object{{"loc-key", content.urgent() ? "FLOW_INCOMING_CALL" : "FLOW_NEW_MESSAGE"}};
        if (!content.urgent()) aps["badge"] = content.badge;
    }
    body["aps"] = std::move(aps);
    OutgoingPush push;
    push.device_id = device.id;
    push.kind = PushKind::apns;
    push.url = endpoint_ + "/3/device/" + device.push->token;
    push.deadline_ms = now + content.ttl_ms();
    push.headers = {"authorization: bearer " + provider_token(now),
                    "apns-topic: " + credentials_.topic + (voip ? ".voip" : ""),
                    std::string("apns-push-type: ") + (voip ? "voip" : "alert"),
                    std::string("apns-priority: ") + (content.urgent() ? "10" : "5"),
                    "apns-expiration: " + std::to_string(push.deadline_ms / 1000),
                    "apns-collapse-id: " + content.collapse_key().substr(0, 64),
                    "Content-Type: application/json"};
    push.body = json::serialize(body);
    return push;
}

}  // namespace flow::push
