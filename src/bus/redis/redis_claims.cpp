#include "bus/redis/redis_claims.hpp"

namespace flow {

bool RedisClaims::claim(const std::string& key, std::chrono::milliseconds ttl) {
    const std::string full_key = "flow:claim:" + key;
    auto reply = redis_.command("SET %s 1 NX PX %lld", full_key.c_str(), static_cast<long long>(ttl.count()));
    if (!reply) return true;
    return reply->type == REDIS_REPLY_STATUS;  // OK; nil when another node holds it
}

}  // namespace flow
