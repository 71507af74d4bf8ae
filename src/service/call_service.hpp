#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "service/push_notifier.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/call.hpp"
#include "limits/rate_limiter.hpp"
#include "service/auth_service.hpp"
#include "service/chat_service.hpp"
#include "service/presence_service.hpp"
#include "storage/call_store.hpp"

namespace flow {

// How long calls ring and last.
struct CallTimes {
    TimeMs ring_ms = 45'000;         // a call unanswered this long is missed
    TimeMs grace_ms = 30'000;        // a participant without a socket this long leaves
    TimeMs max_ms = 14'400'000;      // an ongoing call ends this long after its answer
};

// A page of a user's call history and the cursor of the next older page, if any.
struct CallPage {
    std::vector<Call> items;
    std::optional<std::string> next_before;
};

// Calls: ringing, answering, declining, leaving, the ring timeout, signalling between
// participants and history. Only a call's participants see or act on it; to anyone else
// it is not_found. Publishes call:incoming to whom it rings, call:updated to every
// participant on each change (less the device that made it), and call:signal to the
// device that joined (or every device of one still ringing). Blocking (storage): call
// it on the blocking pool. Thread-safe.
class CallService {
public:
    CallService(CallStore& calls, ChatService& chats, PresenceService& presence, EventBus& bus, PushNotifier& push,
                const Clock& clock, CallTimes times, RateLimiter& limits)
        : calls_(calls), chats_(chats), presence_(presence), bus_(bus), push_(push), clock_(clock), times_(times),
          limits_(limits) {}

    Result<Call> make_call(const Caller& caller, const NewCall& request);
    Result<Call> accept(const Caller& caller, const std::string& call_id);
    Result<Call> reject(const Caller& caller, const std::string& call_id);
    Result<Call> end(const Caller& caller, const std::string& call_id);
    // A signal for the call's other party; `rate_limited` past the caller's signal rate.
    Status signal(const Caller& caller, const std::string& call_id, const CallSignalRequest& request);
    Result<Call> get(const Caller& caller, const std::string& call_id);
    CallPage history(const Caller& caller, const std::optional<std::string>& before, int limit);
    // Ends the ringing of every call whose ring time ran out; returns how many. Safe on
    // several nodes at once: each call's timeout takes effect, and is announced, once.
    std::size_t ring_out_due();
    // Ends the ongoing calls that nobody tends any more (see abandon_call): past the
    // longest a call lasts, or with a participant who has had no socket on any device for
    // the grace period since the answer (devices gone, or never connected); returns how
    // many changed. Safe on several nodes at once, like ring_out_due.
    std::size_t end_abandoned();

private:
    // The chat and whom to ring in it, for a 1:1 or a group call.
    Result<Call> new_call(const Caller& caller, const NewCall& request);
    // Applies one participant's transition and announces the result.
    Result<Call> change(const Caller& caller, const std::string& call_id,
                        const std::function<Status(Call&, TimeMs)>& transition);
    void announce(const Call& call, const std::string& except_session);

    CallStore& calls_;
    ChatService& chats_;
    PresenceService& presence_;
    EventBus& bus_;
    PushNotifier& push_;
    const Clock& clock_;
    const CallTimes times_;
    RateLimiter& limits_;
};

}  // namespace flow
