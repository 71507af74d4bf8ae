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

// KEYS[1]: a device's hash of nodes; ARGV[1]: this node, ARGV[2]: +1 or -1. A count may
// go below zero for a while when a close is told before its open.
constexpr const char* kCountDevice =
    "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) "
    "if n == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end "
    "return n";
// KEYS: devices' hashes of nodes. For each, 1 when a live node counts a socket of it,
// else 0; the fields of dead nodes go.
constexpr const char* kDevicesConnected =
    "local out = {} "
    "for i, key in ipairs(KEYS) do "
    "  local live = 0 "
    "  local counts = redis.call('HGETALL', key) "
    "  for j = 1, #counts, 2 do "
    "    if redis.call('EXISTS', 'flow:node:' .. counts[j]) == 0 then redis.call('HDEL', key, counts[j]) "
    "    elseif tonumber(counts[j + 1]) > 0 then live = 1 end "
    "  end "
    "  out[i] = live "
    "end "
    "return out";

std::string device_key(const std::string& device_id) { return "flow:sockets:" + device_id; }

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

void RedisDeviceRegistry::count_device(const std::string& device_id, int by) {
    const auto key = device_key(device_id);
    redis_.command("EVAL %s 1 %s %s %d", kCountDevice, key.c_str(), node_id_.c_str(), by);
}

void RedisDeviceRegistry::device_opened(const std::string& device_id) { count_device(device_id, +1); }
void RedisDeviceRegistry::device_closed(const std::string& device_id) { count_device(device_id, -1); }

std::optional<std::vector<bool>> RedisDeviceRegistry::devices_connected(const std::vector<std::string>& device_ids) {
    if (device_ids.empty()) return std::vector<bool>{};
    std::vector<std::string> args{"EVAL", kDevicesConnected, std::to_string(device_ids.size())};
    for (const auto& id : device_ids) args.push_back(device_key(id));
    auto reply = redis_.command_argv(args);
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != device_ids.size()) return std::nullopt;
    std::vector<bool> connected;
    for (std::size_t i = 0; i < reply->elements; ++i)
        connected.push_back(reply->element[i]->type == REDIS_REPLY_INTEGER && reply->element[i]->integer == 1);
    return connected;
}

void RedisDeviceRegistry::heartbeat() {
    const std::string key = "flow:node:" + node_id_;
    redis_.command("SET %s 1 EX %d", key.c_str(), kNodeTtlSeconds);
}

}  // namespace flow
