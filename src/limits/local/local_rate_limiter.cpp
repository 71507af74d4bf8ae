#include "limits/local/local_rate_limiter.hpp"

#include <functional>

namespace flow {

Status LocalRateLimiter::take(Action action, const std::string& user_id) {
    const auto rule = rule_of(limits_, action);
    if (rule.off()) return Ok{};
    const TimeMs now = clock_.now_ms();
    auto& shard = shards_[std::hash<std::string>{}(user_id) % shards_.size()];
    std::lock_guard lock(shard.mutex);
    if (shard.users.size() >= shard.swept_at) sweep(shard, now);
    const TimeMs wait = shard.users[user_id].by_action[static_cast<std::size_t>(action)].take(rule, now);
    if (wait > 0) return rate_limited(action, wait);
    return Ok{};
}

void LocalRateLimiter::sweep(Shard& shard, TimeMs now) {
    std::erase_if(shard.users, [&](const auto& entry) {
        for (std::size_t i = 0; i < entry.second.by_action.size(); ++i)
            if (!entry.second.by_action[i].full(rule_of(limits_, static_cast<Action>(i)), now)) return false;
        return true;
    });
    shard.swept_at = std::max<std::size_t>(64, shard.users.size() * 2);
}

std::size_t LocalRateLimiter::buckets() const {
    std::size_t n = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        n += shard.users.size();
    }
    return n;
}

Status LocalRateLimiter::look_up(const std::string& user_id, const std::vector<std::string>& phones) {
    const long long cap = limits_.lookup_daily_cap;
    if (cap <= 0 || phones.empty()) return Ok{};
    const TimeMs now = clock_.now_ms();
    std::lock_guard lock(lookups_mutex_);
    if (utc_day(now) != lookup_day_) {
        lookup_day_ = utc_day(now);
        looked_up_.clear();
    }
    auto& seen = looked_up_[user_id];
    std::vector<std::uint64_t> fresh;
    for (const auto& phone : phones) {
        const std::uint64_t hash = std::hash<std::string>{}(phone);
        if (!seen.contains(hash)) fresh.push_back(hash);
    }
    if (static_cast<long long>(seen.size() + fresh.size()) > cap) {
        if (seen.empty()) looked_up_.erase(user_id);
        return lookup_cap_reached(cap, now);
    }
    seen.insert(fresh.begin(), fresh.end());
    return Ok{};
}

}  // namespace flow
