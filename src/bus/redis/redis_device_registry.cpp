#include "bus/redis/redis_device_registry.hpp"

namespace flow {

namespace {

constexpr int kNodeTtlSeconds = 15;

// KEYS[1]: the user's hash of nodes; ARGV[1]: this node. Counts the nodes whose
// heartbeat key still lives, dropping the others, after the change: atomic, so two
// nodes never both see themselves as first (or last).
#define COUNT_LIVE_NODES                                                              \
    "local n = 0 "                                                                   \
    "for _, node in ipairs(redis.call('HKEYS', KEYS[1])) do "                        \
    "  if redis.call('EXISTS', 'flow:node:' .. node) == 1 then n = n + 1 "           \
    "  else redis.call('HDEL', KEYS[1], node) end "                                  \
    "end "                                                                           \
    "return n"
constexpr const char* kArrive = "redis.call('HSET', KEYS[1], ARGV[1], 1) " COUNT_LIVE_NODES;
constexpr const char* kLeave = "redis.call('HDEL', KEYS[1], ARGV[1]) " COUNT_LIVE_NODES;
constexpr const char* kCount = COUNT_LIVE_NODES;

}  // namespace

long long RedisDeviceRegistry::live_nodes(const char* script, const std::string& user_id) {
    const std::string key = "flow:devices:" + user_id;
    auto reply = redis_.command("EVAL %s 1 %s %s", script, key.c_str(), node_id_.c_str());
    return reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
}

bool RedisDeviceRegistry::arrived(const std::string& user_id) {
    const auto nodes = live_nodes(kArrive, user_id);
    return nodes <= 1;  // -1: Redis is away, this node answers for itself
}

bool RedisDeviceRegistry::left(const std::string& user_id) { return live_nodes(kLeave, user_id) <= 0; }

bool RedisDeviceRegistry::connected(const std::string& user_id) {
    return live_nodes(kCount, user_id) != 0;  // -1: Redis is away, which says nothing
}

void RedisDeviceRegistry::heartbeat() {
    const std::string key = "flow:node:" + node_id_;
    redis_.command("SET %s 1 EX %d", key.c_str(), kNodeTtlSeconds);
}

}  // namespace flow
