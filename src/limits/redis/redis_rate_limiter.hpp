#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "bus/redis/redis_connection.hpp"
#include "limits/local/local_rate_limiter.hpp"
#include "limits/rate_limiter.hpp"

namespace flow {

// The limits shared by every node on one Redis: each take() runs an atomic Lua token
// bucket (EVALSHA) on the user's key, timed by Redis's clock so that nodes' clocks need
// not agree; a lookup adds the new numbers to the user's set of the day in one script,
// or refuses them all. Keys expire once they would be full (or the day is over) again.
// While Redis is away each node limits on its own, as a single node would (fail open to
// the local limits, not to none). Blocking (a round trip to Redis): call it on the
// blocking pool. Thread-safe.
class RedisRateLimiter final : public RateLimiter {
public:
    RedisRateLimiter(const RedisAddress& address, RateLimits limits, const Clock& clock);

    Status take(Action action, const std::string& user_id) override;
    Status look_up(const std::string& user_id, const std::vector<std::string>& phones) override;
    bool blocks() const override { return true; }

private:
    struct Script {
        const char* text;
        std::string sha;  // once loaded
    };
    // The script's reply to KEYS[1] = key and `args`; nullptr when Redis could not run it.
    RedisReply run(Script& script, const std::string& key, const std::vector<std::string>& args);

    RedisConnection redis_;
    const RateLimits limits_;
    const Clock& clock_;
    LocalRateLimiter fallback_;
    std::mutex scripts_mutex_;
    Script bucket_;
    Script lookup_;
};

}  // namespace flow
