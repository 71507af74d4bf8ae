#pragma once

#include <string>
#include <vector>

#include "domain/call.hpp"
#include "domain/message.hpp"

namespace flow {

// Tells people's devices whose sockets are closed (a phone in a pocket) what they should
// notice, through the push services they registered. The services tell it once per
// event, on the node that committed it, so that one event gives one push however many
// nodes deliver it. Never blocks and never fails: pushes are best effort, beside the
// durable delivery over sockets and catch-up. Thread-safe.
class PushNotifier {
public:
    virtual ~PushNotifier() = default;
    // A message was committed: for its chat's members other than the sender (and, past
    // their mute, those it mentions).
    virtual void message_sent(const Message& message, const std::vector<std::string>& member_ids) = 0;
    // A call rings these users.
    virtual void call_ringing(const Call& call, const std::vector<std::string>& rung_user_ids) = 0;
};

}  // namespace flow
