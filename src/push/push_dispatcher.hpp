#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus/claims.hpp"
#include "bus/device_registry.hpp"
#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "push/http_sender.hpp"
#include "push/push_content.hpp"
#include "push/push_service.hpp"
#include "service/push_notifier.hpp"
#include "storage/chat_store.hpp"
#include "storage/device_store.hpp"
#include "storage/user_store.hpp"

namespace flow::push {

struct PushOptions {
    TimeMs coalesce_ms = 2000;           // a chat's messages within this of its first coalesce
    std::size_t max_waiting = 100'000;   // bursts, retries and requests on their way; past it, dropped
};

// Decides which devices get a push for each message and call, and sends them, on
// threads of its own, so that nothing it does (the database, a slow or failing push
// service) delays a message. A message waits `coalesce_ms` for the rest of its chat's
// burst; then each member other than its sender whose chat is not muted (or whom one of
// the burst's messages mentions) gets one push, of the burst's newest message to them,
// on each of their registered devices that has no socket open on any node (the sender's
// devices never do: the sender is no recipient).
// Among several nodes, a recipient's push for a chat is claimed for the burst's length,
// so that a burst whose messages several nodes committed still gives one push.
// A call pushes at once, urgently. A service answering 404 or 410 ends the registration;
// 429, 5xx and no answer are tried again with a growing delay (or the one its
// Retry-After asks for) until the push's time to live runs out. Counts all of it in
// flow_push_total.
class PushDispatcher final : public PushNotifier {
public:
    struct Stores {
        DeviceStore& devices;
        ChatStore& chats;
        UserStore& users;
        DeviceRegistry& connected;
        Claims& claims;
    };
    using Services = std::map<PushKind, std::unique_ptr<PushService>>;

    // `services`: those configured on this node (a device registered with another kind
    // gets no push here). `ca_bundle`: see HttpSender.
    PushDispatcher(Stores stores, Services services, std::string ca_bundle, Metrics& metrics, const Clock& clock,
                   PushOptions options = {});
    ~PushDispatcher() override;
    PushDispatcher(const PushDispatcher&) = delete;
    PushDispatcher& operator=(const PushDispatcher&) = delete;

    void message_sent(const Message& message, const std::vector<std::string>& member_ids) override;
    void call_ringing(const Call& call, const std::vector<std::string>& rung_user_ids) override;

private:
    // A chat's messages while they coalesce: the newest of each sender and how many each
    // sent (a burst has few senders), and the chat's members. Folding a message in costs
    // the committing thread a lookup, not a copy per member.
    struct Burst {
        struct FromSender {
            Message message;
            int count = 0;
        };
        std::map<std::string, FromSender> by_sender;
        // Members a message of the burst mentions: they hear of it in a chat they muted.
        std::set<std::string> mentioned;
        // As of the burst's first message, and again when their number changed: a member
        // who left meanwhile is no member at push time (push_state) and gets nothing.
        std::vector<std::string> member_ids;
    };
    struct RungCall {
        Call call;
        std::vector<std::string> user_ids;
    };

    void run();
    void push_burst(const std::string& chat_id, const Burst& burst, TimeMs now);
    void push_call(const Call& call, const std::vector<std::string>& user_ids, TimeMs now);
    // The devices among these that have no socket open anywhere.
    std::vector<Device> unreachable(std::vector<Device> devices);
    void push_to(const Device& device, const PushContent& content, TimeMs now);
    // On the HTTP thread.
    void answered(OutgoingPush push, HttpAnswer answer);
    bool room_for_one_more();

    Stores stores_;
    Services services_;
    Metrics& metrics_;
    const Clock& clock_;
    const PushOptions options_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<RungCall> calls_;
    std::map<std::string, Burst> bursts_;              // by chat
    std::multimap<TimeMs, std::string> bursts_due_;    // chat ids, by when their burst is pushed
    std::multimap<TimeMs, OutgoingPush> retries_;      // by when they go again
    std::vector<std::string> ended_;                   // devices whose registration a service ended
    std::size_t waiting_ = 0;                          // bursts, retries and requests in flight

    std::thread worker_;
    HttpSender sender_;  // last: destroyed first, so that no answer comes in after the rest is gone
};

}  // namespace flow::push
