#include "push/push_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/thread_name.hpp"

namespace flow::push {

namespace {

constexpr TimeMs kFirstRetryMs = 1000;
constexpr TimeMs kLongestRetryMs = 5 * 60'000;

bool should_retry(long status) { return status == 0 || status == 429 || status >= 500; }
bool ends_registration(long status) { return status == 404 || status == 410; }

}  // namespace

PushDispatcher::PushDispatcher(Stores stores, Services services, std::string ca_bundle, Metrics& metrics,
                               const Clock& clock, PushOptions options)
    : stores_(stores), services_(std::move(services)), metrics_(metrics), clock_(clock), options_(options),
      sender_(std::move(ca_bundle), [this](OutgoingPush push, HttpAnswer answer) {
          answered(std::move(push), std::move(answer));
      }) {
    worker_ = std::thread([this] { run(); });
}

PushDispatcher::~PushDispatcher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void PushDispatcher::message_sent(const Message& message, const std::vector<std::string>& member_ids) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        auto it = bursts_.find(message.chat_id);
        if (it == bursts_.end()) {
            if (!room_for_one_more()) {
                metrics_.push("any", "dropped");
                return;
            }
            it = bursts_.emplace(message.chat_id, Burst{}).first;
            bursts_due_.emplace(clock_.now_ms() + options_.coalesce_ms, message.chat_id);
            first = true;
        }
        auto& burst = it->second;
        auto& from = burst.by_sender[message.sender_id];
        from.message = message;
        ++from.count;
        burst.mentioned.insert(message.mentions.begin(), message.mentions.end());
        if (burst.member_ids.size() != member_ids.size()) burst.member_ids = member_ids;
    }
    // Only a new burst changes when the worker must wake; the rest wait for it.
    if (first) wake_.notify_one();
}

void PushDispatcher::call_ringing(const Call& call, const std::vector<std::string>& rung_user_ids) {
    {
        std::lock_guard lock(mutex_);
        if (!room_for_one_more()) {
            metrics_.push("any", "dropped");
            return;
        }
        calls_.push_back({call, rung_user_ids});
    }
    wake_.notify_one();
}

bool PushDispatcher::room_for_one_more() {
    if (waiting_ >= options_.max_waiting) return false;
    ++waiting_;
    return true;
}

void PushDispatcher::run() {
    name_this_thread("flow-push");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = clock_.now_ms();
        TimeMs next = now + 60'000;
        if (!bursts_due_.empty()) next = std::min(next, bursts_due_.begin()->first);
        if (!retries_.empty()) next = std::min(next, retries_.begin()->first);
        if (calls_.empty() && ended_.empty() && next > now) {
            wake_.wait_for(lock, std::chrono::milliseconds(next - now));
            continue;
        }
        auto calls = std::move(calls_);
        calls_.clear();
        waiting_ -= calls.size();
        auto ended = std::move(ended_);
        ended_.clear();
        std::vector<std::pair<std::string, Burst>> due_bursts;
        while (!bursts_due_.empty() && bursts_due_.begin()->first <= now) {
            const auto chat_id = bursts_due_.begin()->second;
            bursts_due_.erase(bursts_due_.begin());
            auto burst = bursts_.extract(chat_id);
            if (!burst.empty()) due_bursts.emplace_back(chat_id, std::move(burst.mapped()));
            --waiting_;
        }
        std::vector<OutgoingPush> due_retries;
        while (!retries_.empty() && retries_.begin()->first <= now) {
            due_retries.push_back(std::move(retries_.begin()->second));
            retries_.erase(retries_.begin());
        }

        // The work itself, which waits on the database, without the lock.
        lock.unlock();
        try {
            for (const auto& rung : calls) push_call(rung.call, rung.user_ids, now);
            for (const auto& [chat_id, burst] : due_bursts) push_burst(chat_id, burst, now);
            for (auto& push : due_retries) sender_.send(std::move(push));  // still counted in waiting_
            for (const auto& device_id : ended) stores_.devices.clear_push(device_id);
        } catch (const std::exception& e) {
            spdlog::error("push: {}", e.what());
        }
        lock.lock();
    }
}

std::vector<Device> PushDispatcher::unreachable(std::vector<Device> devices) {
    std::vector<std::string> ids;
    for (const auto& device : devices) ids.push_back(device.id);
    const auto connected = stores_.connected.devices_connected(ids);
    // When that cannot be known (Redis away), a push too many beats a missed call.
    if (!connected) return devices;
    std::vector<Device> out;
    for (std::size_t i = 0; i < devices.size(); ++i)
        if (!(*connected)[i]) out.push_back(std::move(devices[i]));
    return out;
}

void PushDispatcher::push_burst(const std::string& chat_id, const Burst& burst, TimeMs now) {
    // For each member, the burst's newest message to them (from anyone but them), and how
    // many it stands for.
    struct ForMember {
        const Message* newest = nullptr;
        int count = 0;
    };
    std::map<std::string, ForMember> for_member;
    for (const auto& user_id : burst.member_ids)
        for (const auto& [sender_id, from] : burst.by_sender) {
            if (sender_id == user_id) continue;
            auto& mine = for_member[user_id];
            if (!mine.newest || from.message.seq > mine.newest->seq) mine.newest = &from.message;
            mine.count += from.count;
        }
    std::vector<std::string> recipients;
    for (const auto& [user_id, mine] : for_member) recipients.push_back(user_id);
    auto devices = stores_.devices.push_devices(recipients);
    std::erase_if(devices, [](const Device& d) { return d.push->voip; });  // VoIP registrations take calls only
    if (devices.empty()) return;
    devices = unreachable(std::move(devices));

    std::map<std::string, std::string> sender_names;
    const auto name_of = [&](const std::string& user_id) -> const std::string& {
        auto it = sender_names.find(user_id);
        if (it == sender_names.end()) {
            const auto user = stores_.users.find(user_id);
            it = sender_names.emplace(user_id, user ? user->name : std::string()).first;
        }
        return it->second;
    };
    // What each recipient gets: a push with this badge, or none (muted and not mentioned,
    // or no member any more), or none from this node (another node claimed the burst,
    // and its push stands for these messages too).
    struct Decision {
        std::optional<std::int64_t> badge;
        bool elsewhere = false;
    };
    std::map<std::string, Decision> decisions;
    for (const auto& device : devices) {
        auto found = decisions.find(device.user_id);
        if (found == decisions.end()) {
            Decision decision;
            const auto state = stores_.chats.push_state(chat_id, device.user_id);
            const bool mentioned = burst.mentioned.contains(device.user_id);
            if (state.member && (mentioned || !is_muted(state.muted_until, now))) {
                decision.elsewhere = !stores_.claims.claim("push:" + chat_id + ":" + device.user_id,
                                                           std::chrono::milliseconds(options_.coalesce_ms));
                if (!decision.elsewhere) decision.badge = state.unread_total;
            }
            found = decisions.emplace(device.user_id, decision).first;
        }
        const auto& mine = for_member.at(device.user_id);
        const auto& decision = found->second;
        const int folded = decision.elsewhere ? mine.count : decision.badge ? mine.count - 1 : 0;
        if (folded > 0) metrics_.push(to_string(device.push->kind), "coalesced", folded);
        if (decision.badge)
            push_to(device, PushContent::of(*mine.newest, name_of(mine.newest->sender_id), *decision.badge), now);
    }
}

void PushDispatcher::push_call(const Call& call, const std::vector<std::string>& user_ids, TimeMs now) {
    auto devices = stores_.devices.push_devices(user_ids);
    if (devices.empty()) return;
    const auto content = PushContent::of(call);
    for (const auto& device : unreachable(std::move(devices))) push_to(device, content, now);
}

void PushDispatcher::push_to(const Device& device, const PushContent& content, TimeMs now) {
    const auto kind = to_string(device.push->kind);
    const auto service = services_.find(device.push->kind);
    if (service == services_.end()) {
        metrics_.push(kind, "dropped");  // not configured on this node
        return;
    }
    auto push = service->second->prepare(device, content, now);
    if (!push) {
        spdlog::warn("push: {} to device {}: {}", kind, device.id, push.error().message);
        metrics_.push(kind, "dropped");
        return;
    }
    {
        std::lock_guard lock(mutex_);
        if (!room_for_one_more()) {
            metrics_.push(kind, "dropped");
            return;
        }
    }
    sender_.send(std::move(*push));
}

void PushDispatcher::answered(OutgoingPush push, HttpAnswer answer) {
    const auto kind = to_string(push.kind);
    if (answer.status >= 200 && answer.status < 300) {
        metrics_.push(kind, "sent");
        std::lock_guard lock(mutex_);
        --waiting_;
        return;
    }
    metrics_.push(kind, "failed");
    if (answer.status == 401 || answer.status == 403)
        if (auto service = services_.find(push.kind); service != services_.end()) service->second->credentials_refused();
    const auto now = clock_.now_ms();
    std::lock_guard lock(mutex_);
    if (ends_registration(answer.status)) {
        ended_.push_back(push.device_id);
        --waiting_;
        wake_.notify_one();
        return;
    }
    const TimeMs delay = answer.retry_after_s ? *answer.retry_after_s * 1000
                                              : std::min(kLongestRetryMs, kFirstRetryMs << std::min(push.attempts, 20));
    if (!should_retry(answer.status) || now + delay > push.deadline_ms) {
        spdlog::warn("push: {} to device {} given up: {} {}{}", kind, push.device_id, answer.status, answer.error,
                     answer.body.substr(0, 200));
        metrics_.push(kind, "dropped");
        --waiting_;
        return;
    }
    ++push.attempts;
    retries_.emplace(now + delay, std::move(push));
    wake_.notify_one();
}

}  // namespace flow::push
