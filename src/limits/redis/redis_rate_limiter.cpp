#include "limits/redis/redis_rate_limiter.hpp"

namespace flow {

namespace {

// KEYS[1]: the bucket (a hash of tokens `v` at Redis time `t`, in ms); ARGV: rate per
// second, burst. Takes a token; returns 0, or the ms until one is there (nothing taken).
constexpr const char* kBucket = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'v', 't')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
end
if tokens < 1 then
  return math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'v', tostring(tokens), 't', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return 0
)lua";

// KEYS[1]: the user's set of numbers looked up today; ARGV: the cap, the key's time to
// live in seconds, then the numbers (distinct). Adds the new ones and returns 1, or adds
// none and returns 0 when they would pass the cap.
constexpr const char* kLookup = R"lua(
local cap = tonumber(ARGV[1])
local fresh = {}
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then fresh[#fresh + 1] = ARGV[i] end
end
if #fresh == 0 then return 1 end
if redis.call('SCARD', KEYS[1]) + #fresh > cap then return 0 end
for i = 1, #fresh, 500 do
  redis.call('SADD', KEYS[1], unpack(fresh, i, math.min(i + 499, #fresh)))
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
)lua";

const char* action_name(Action action) {
    switch (action) {
        case Action::send: return "send";
        case Action::typing: return "typing";
        case Action::signal: return "signal";
        case Action::report: return "report";
    }
    return "other";
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(const RedisAddress& address, RateLimits limits, const Clock& clock)
    : redis_(address), limits_(limits), clock_(clock), fallback_(limits, clock), bucket_{kBucket, {}},
      lookup_{kLookup, {}} {}

RedisReply RedisRateLimiter::run(Script& script, const std::string& key, const std::vector<std::string>& args) {
    std::string sha;
    {
        std::lock_guard lock(scripts_mutex_);
        sha = script.sha;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (sha.empty()) {
            // Loaded on first use, and again after Redis restarted and forgot it.
            auto loaded = redis_.command("SCRIPT LOAD %s", script.text);
            if (!loaded || loaded->type != REDIS_REPLY_STRING) return nullptr;
            sha.assign(loaded->str, loaded->len);
            std::lock_guard lock(scripts_mutex_);
            script.sha = sha;
        }
        std::vector<std::string> argv{"EVALSHA", sha, "1", key};
        argv.insert(argv.end(), args.begin(), args.end());
        if (auto reply = redis_.command_argv(argv)) return reply;
        sha.clear();  // NOSCRIPT, or Redis is away: load it again, once
    }
    return nullptr;
}

Status RedisRateLimiter::take(Action action, const std::string& user_id) {
    const auto rule = rule_of(limits_, action);
    if (rule.off()) return Ok{};
    const auto key = std::string("flow:rate:") + action_name(action) + ":" + user_id;
    auto reply = run(bucket_, key, {std::to_string(rule.rate), std::to_string(rule.burst)});
    if (!reply || reply->type != REDIS_REPLY_INTEGER) return fallback_.take(action, user_id);
    if (reply->integer > 0) return rate_limited(action, reply->integer);
    return Ok{};
}

Status RedisRateLimiter::look_up(const std::string& user_id, const std::vector<std::string>& phones) {
    const long long cap = limits_.lookup_daily_cap;
    if (cap <= 0 || phones.empty()) return Ok{};
    const TimeMs now = clock_.now_ms();
    const auto key = "flow:lookups:" + user_id + ":" + std::to_string(utc_day(now));
    std::vector<std::string> args{std::to_string(cap), std::to_string(ms_to_next_day(now) / 1000 + 60)};
    args.insert(args.end(), phones.begin(), phones.end());
    auto reply = run(lookup_, key, args);
    if (!reply || reply->type != REDIS_REPLY_INTEGER) return fallback_.look_up(user_id, phones);
    if (reply->integer == 0) return lookup_cap_reached(cap, now);
    return Ok{};
}

}  // namespace flow
