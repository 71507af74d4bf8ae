#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace flow {

// Decisions one node takes for all the nodes of a service: the first to claim a key
// holds it for `ttl`, and claims of it fail until then (e.g. one push per chat and
// recipient per burst, whichever node committed the burst's messages). Blocking (a shared
// one asks Redis); thread-safe.
class Claims {
public:
    virtual ~Claims() = default;
    virtual bool claim(const std::string& key, std::chrono::milliseconds ttl) = 0;
};

// The claims of one node alone.
class LocalClaims final : public Claims {
public:
    bool claim(const std::string& key, std::chrono::milliseconds ttl) override {
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex_);
        std::erase_if(held_, [&](const auto& entry) { return entry.second <= now; });
        return held_.try_emplace(key, now + ttl).second;
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> held_;  // until when
};

}  // namespace flow
