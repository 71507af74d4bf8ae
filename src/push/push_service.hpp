#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/device.hpp"
#include "push/push_content.hpp"

namespace flow::push {

// One HTTP request to a push service, as it is sent and retried.
struct OutgoingPush {
    std::string device_id;
    PushKind kind = PushKind::webpush;
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    TimeMs deadline_ms = 0;  // when it is dropped if it has not gone (its TTL)
    int attempts = 0;
};

// One push service (Web Push, FCM, APNs, UnifiedPush): how a push to a device registered
// with it is asked for. May block (FCM fetches an access token now and then); called on
// the push dispatcher's thread only.
class PushService {
public:
    virtual ~PushService() = default;
    // The request that pushes `content` to `device` at `now`; an error when
    // this registration cannot take it (the service is not configured on this node, or
    // its credentials were refused).
    virtual Result<OutgoingPush> prepare(const Device& device, const PushContent& content, TimeMs now) = 0;
    // The service refused the credentials a push carried (401 or 403): the next push gets
    // fresh ones. Any thread.
    virtual void credentials_refused() {}
};

}  // namespace flow::push
