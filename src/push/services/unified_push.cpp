#include "push/services/unified_push.hpp"

#include <boost/json/serialize.hpp>

namespace flow::push {

Result<OutgoingPush> UnifiedPushService::prepare(const Device& device, const PushContent& content, TimeMs now) {
    OutgoingPush push;
    push.device_id = device.id;
    push.kind = PushKind::unifiedpush;
    push.url = device.push->endpoint;
    push.headers = {"Content-Type: application/json", "TTL: " + std::to_string(content.ttl_ms() / 1000),
                    std::string("Urgency: ") + (content.urgent() ? "high" : "normal")};
    push.body = boost::json::serialize(ids_json(content));
    push.deadline_ms = now + content.ttl_ms();
    return push;
}

}  // namespace flow::push
