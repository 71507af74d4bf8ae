#pragma once

#include "push/push_service.hpp"

namespace flow::push {

// UnifiedPush: the ids as JSON, POSTed to the endpoint the device's distributor gave it
// (a server of the user's choice, so the ids only, as for FCM and APNs).
class UnifiedPushService final : public PushService {
public:
    Result<OutgoingPush> prepare(const Device& device, const PushContent& content, TimeMs now) override;
};

}  // namespace flow::push
