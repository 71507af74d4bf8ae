#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "limits/token_bucket.hpp"

namespace flow {

// What a user does that a per-user limit guards.
enum class Action { send, typing, signal, report };
inline constexpr std::size_t kActions = 4;

// The per-user limits (`--user-send-rate` and the rest); 0 turns a limit off.
struct RateLimits {
    double send_rate = 20;    // messages per second, sustained
    double send_burst = 100;  // messages at once after a quiet spell
    double typing_rate = 5;   // typing events per second (a burst of as many)
    double signal_rate = 50;  // call signals per second (a burst of as many)
    long long lookup_daily_cap = 2000;  // distinct numbers looked up per UTC day
    double report_hourly = 10;  // reports of other users per hour (a burst of as many)
};

// Per-user rate limits: a token bucket per user and action, and the distinct phone
// numbers each user looked up today. In memory for one node (local/), in Redis for nodes
// that share one (redis/). Thread-safe.
class RateLimiter {
public:
    virtual ~RateLimiter() = default;

    // Takes one token of `action` from the user's bucket: Ok, or `rate_limited` with the
    // seconds until the next token.
    virtual Status take(Action action, const std::string& user_id) = 0;
    // Counts `phones` (normalised and distinct) against the user's lookups of the day;
    // numbers looked up earlier today count once. A lookup that would go over the cap is
    // refused whole (`rate_limited` until the next UTC day) and counts nothing.
    virtual Status look_up(const std::string& user_id, const std::vector<std::string>& phones) = 0;
    // Whether a call may wait on a remote service, so must not run on an I/O thread.
    virtual bool blocks() const = 0;
};

// The bucket rule of `action` under `limits`: sends have their own burst; typing and
// call signals may burst as many as their rate.
inline BucketRule rule_of(const RateLimits& limits, Action action) {
    switch (action) {
        case Action::send: return {limits.send_rate, std::max(1.0, limits.send_burst)};
        case Action::typing: return {limits.typing_rate, std::max(1.0, limits.typing_rate)};
        case Action::signal: return {limits.signal_rate, std::max(1.0, limits.signal_rate)};
        case Action::report: return {limits.report_hourly / 3600, std::max(1.0, limits.report_hourly)};
    }
    return {};
}

// The error of a limit that bit, `wait_ms` before it lets the user go on.
inline Error rate_limited(Action action, TimeMs wait_ms) {
    const char* what = action == Action::send     ? "too many messages; slow down"
                       : action == Action::typing ? "too many typing events"
                       : action == Action::report ? "too many reports; try again later"
                                                  : "too many call signals; slow down";
    return Error::rate_limited("rate_limited", what, retry_after_s(wait_ms));
}
inline Error lookup_cap_reached(long long cap, TimeMs now) {
    return Error::rate_limited("rate_limited",
                               "at most " + std::to_string(cap) + " distinct numbers may be looked up per day",
                               retry_after_s(ms_to_next_day(now)));
}

}  // namespace flow
