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
    tell({message, std::nullopt, member_ids});
}

void PushDispatcher::call_ringing(const Call& call, const std::vector<std::string>& rung_user_ids) {
    tell({std::nullopt, call, rung_user_ids});
}

void PushDispatcher::tell(Told told) {
    {
        std::lock_guard lock(mutex_);
        // The worker is stuck (the database): what it cannot look at in time is dropped.
        if (told_.size() >= options_.max_waiting) {
            metrics_.push("any", "dropped");
            return;
        }
        told_.push_back(std::move(told));
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
        if (told_.empty() && ended_.empty() && next > now) {
            wake_.wait_for(lock, std::chrono::milliseconds(next - now));
            continue;
        }
        auto told = std::move(told_);
        told_.clear();
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
            for (auto& t : told) {
                if (t.message) fold(std::move(*t.message), t.user_ids, now);
                else push_call(*t.call, t.user_ids, now);
            }
            for (auto& [chat_id, burst] : due_bursts) push_burst(chat_id, std::move(burst), now);
            for (auto& push : due_retries) sender_.send(std::move(push));  // still counted in waiting_
            for (const auto& device_id : ended) stores_.devices.clear_push(device_id);
        } catch (const std::exception& e) {
            spdlog::error("push: {}", e.what());
        }
        lock.lock();
    }
}

void PushDispatcher::fold(Message message, const std::vector<std::string>& member_ids, TimeMs now) {
    std::lock_guard lock(mutex_);
    auto it = bursts_.find(message.chat_id);
    if (it == bursts_.end()) {
        if (!room_for_one_more()) {
            metrics_.push("any", "dropped");
            return;
        }
        it = bursts_.emplace(message.chat_id, Burst{}).first;
        bursts_due_.emplace(now + options_.coalesce_ms, message.chat_id);
    }
    for (const auto& user_id : member_ids) {
        if (user_id == message.sender_id) continue;
        auto& latest = it->second.by_recipient[user_id];
        latest.message = message;
        ++latest.count;
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

void PushDispatcher::push_burst(const std::string& chat_id, Burst burst, TimeMs now) {
    std::vector<std::string> recipients;
    for (const auto& [user_id, latest] : burst.by_recipient) recipients.push_back(user_id);
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
    // What each recipient gets: a push with this badge, or none (muted), or none from this
    // node (another node claimed the burst, and its push stands for these messages too).
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
            if (!is_muted(state.muted_until, now)) {
                decision.elsewhere = !stores_.claims.claim("push:" + chat_id + ":" + device.user_id,
                                                           std::chrono::milliseconds(options_.coalesce_ms));
                if (!decision.elsewhere) decision.badge = state.unread_total;
            }
            found = decisions.emplace(device.user_id, decision).first;
        }
        const auto& latest = burst.by_recipient.at(device.user_id);
        const auto kind = to_string(device.push->kind);
        const int folded = found->second.elsewhere ? latest.count : latest.count - 1;
        for (int i = 0; i < folded && (found->second.badge || found->second.elsewhere); ++i)
            metrics_.push(kind, "coalesced");
        if (found->second.badge)
            push_to(device, PushContent::of(latest.message, name_of(latest.message.sender_id), *found->second.badge), now);
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
