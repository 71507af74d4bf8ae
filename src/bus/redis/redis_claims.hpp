#pragma once

#include "bus/claims.hpp"
#include "bus/redis/redis_connection.hpp"

namespace flow {

// Claims in Redis (SET NX PX), shared by the nodes that share it. While Redis is away
// every claim succeeds: a decision taken twice (a push too many) beats one never taken.
class RedisClaims final : public Claims {
public:
    explicit RedisClaims(const RedisAddress& address) : redis_(address) {}

    bool claim(const std::string& key, std::chrono::milliseconds ttl) override;

private:
    RedisConnection redis_;
};

}  // namespace flow
