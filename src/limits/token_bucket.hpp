#pragma once

#include <algorithm>
#include <cmath>

#include "common/clock.hpp"

namespace flow {

// A token bucket's rule: `rate` tokens a second, holding at most `burst`. Off when the
// rate is 0.
struct BucketRule {
    double rate = 0;
    double burst = 0;

    bool off() const { return rate <= 0; }
};

// One bucket's state: the tokens it held at `at`. A new bucket is full.
struct TokenBucket {
    double tokens = -1;  // < 0: new, so full
    TimeMs at = 0;

    // The tokens at `now`.
    double level(const BucketRule& rule, TimeMs now) const {
        if (tokens < 0) return rule.burst;
        const double elapsed_s = static_cast<double>(std::max<TimeMs>(0, now - at)) / 1000.0;
        return std::min(rule.burst, tokens + elapsed_s * rule.rate);
    }
    // Takes a token: 0 when it did, else how many ms until one is there (nothing taken).
    TimeMs take(const BucketRule& rule, TimeMs now) {
        const double have = level(rule, now);
        tokens = have;
        at = std::max(at, now);
        if (have >= 1) {
            tokens = have - 1;
            return 0;
        }
        return std::max<TimeMs>(1, static_cast<TimeMs>(std::ceil((1 - have) * 1000.0 / rule.rate)));
    }
    // Full again: as good as a new bucket, so it may be forgotten.
    bool full(const BucketRule& rule, TimeMs now) const { return level(rule, now) >= rule.burst; }
};

// Seconds for Retry-After: `ms` rounded up, at least 1.
inline long long retry_after_s(TimeMs ms) { return std::max<long long>(1, (ms + 999) / 1000); }

// The UTC day a lookup counts in, and the ms from `now` to the next one.
inline long long utc_day(TimeMs now) { return now / 86'400'000; }
inline TimeMs ms_to_next_day(TimeMs now) { return (utc_day(now) + 1) * 86'400'000 - now; }

}  // namespace flow
