#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "limits/rate_limiter.hpp"

namespace flow {

// The limits of one node, in memory. Buckets live in shards by user, each behind its own
// mutex; a shard forgets the buckets that have filled up again (as good as new) whenever
// it has doubled since it last looked, so memory follows the users active lately. The
// day's lookups are kept as 64-bit hashes of the numbers and forgotten when the UTC day
// turns. Never blocks on I/O: safe on an I/O thread. Thread-safe.
class LocalRateLimiter final : public RateLimiter {
public:
    LocalRateLimiter(RateLimits limits, const Clock& clock) : limits_(limits), clock_(clock) {}

    Status take(Action action, const std::string& user_id) override;
    Status look_up(const std::string& user_id, const std::vector<std::string>& phones) override;
    bool blocks() const override { return false; }

    // Buckets held now (for tests of the eviction).
    std::size_t buckets() const;

private:
    struct Buckets {
        std::array<TokenBucket, kActions> by_action;  // indexed by Action
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Buckets> users;
        std::size_t swept_at = 64;  // sweeps when the map has grown to this
    };
    void sweep(Shard& shard, TimeMs now);

    const RateLimits limits_;
    const Clock& clock_;
    std::array<Shard, 16> shards_;

    std::mutex lookups_mutex_;
    long long lookup_day_ = -1;
    std::unordered_map<std::string, std::unordered_set<std::uint64_t>> looked_up_;
};

}  // namespace flow
