#include "limits/local/local_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

constexpr TimeMs kNow = 1'800'000'000'000;

class FakeClock final : public Clock {
public:
    TimeMs now_ms() const override { return now; }
    TimeMs now = kNow;
};

TEST(TokenBucket, StartsFullTakesABurstThenRefillsAtTheRate) {
    const BucketRule rule{2, 5};
    TokenBucket bucket;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.take(rule, kNow), 0) << i;
    EXPECT_EQ(bucket.take(rule, kNow), 500);  // 2 a second: the next in half a second
    EXPECT_NEAR(bucket.take(rule, kNow + 400), 100, 1);
    EXPECT_EQ(bucket.take(rule, kNow + 500), 0);
    EXPECT_FALSE(bucket.full(rule, kNow + 500));
    EXPECT_TRUE(bucket.full(rule, kNow + 500 + 2500));
}

TEST(LocalRateLimiter, ReportsAreAnHourlyBudgetOfTheirOwnPerReporter) {
    FakeClock clock;
    RateLimits limits;
    limits.report_hourly = 2;
    LocalRateLimiter limiter(limits, clock);
    EXPECT_TRUE(limiter.take(Action::report, "ann"));
    EXPECT_TRUE(limiter.take(Action::report, "ann"));
    const auto refused = limiter.take(Action::report, "ann");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "rate_limited");
    EXPECT_EQ(refused.error().retry_after_s, 1800) << "one report comes back every half hour";
    EXPECT_TRUE(limiter.take(Action::report, "bob"));
    EXPECT_TRUE(limiter.take(Action::send, "ann")) << "sends are not reports";
    clock.now += 1'800'000;
    EXPECT_TRUE(limiter.take(Action::report, "ann"));
    limits.report_hourly = 0;
    LocalRateLimiter unlimited(limits, clock);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.take(Action::report, "ann"));
}

TEST(TokenBucket, RetryAfterRoundsUpToWholeSeconds) {
    EXPECT_EQ(retry_after_s(1), 1);
    EXPECT_EQ(retry_after_s(1000), 1);
    EXPECT_EQ(retry_after_s(1001), 2);
}

TEST(LocalRateLimiter, SendsPastTheBurstAreRateLimitedWithRetryAfter) {
    FakeClock clock;
    LocalRateLimiter limiter({1, 3, 5, 50, 2000}, clock);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take(Action::send, "u1")) << i;
    auto refused = limiter.take(Action::send, "u1");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::rate_limited);
    EXPECT_EQ(refused.error().code, "rate_limited");
    EXPECT_EQ(refused.error().retry_after_s, 1);
    EXPECT_TRUE(limiter.take(Action::send, "u2"));     // per user
    EXPECT_TRUE(limiter.take(Action::typing, "u1"));   // per action
    clock.now += 1000;
    EXPECT_TRUE(limiter.take(Action::send, "u1"));
}

TEST(LocalRateLimiter, ZeroTurnsALimitOff) {
    FakeClock clock;
    LocalRateLimiter limiter({0, 1, 0, 0, 0}, clock);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(limiter.take(Action::send, "u"));
        ASSERT_TRUE(limiter.take(Action::typing, "u"));
        ASSERT_TRUE(limiter.take(Action::signal, "u"));
    }
    EXPECT_TRUE(limiter.look_up("u", std::vector<std::string>(5000, "+447300000000")));
    EXPECT_EQ(limiter.buckets(), 0u);
}

TEST(LocalRateLimiter, ForgetsBucketsThatFilledUpAgain) {
    FakeClock clock;
    LocalRateLimiter limiter({10, 10, 5, 50, 2000}, clock);
    for (int i = 0; i < 100'000; ++i) {
        ASSERT_TRUE(limiter.take(Action::send, "user-" + std::to_string(i)));
        clock.now += 10;  // each bucket is full again a second later
    }
    // Only the users of about the last second (100), and at most twice that per shard
    // between sweeps, are held: not 100,000.
    EXPECT_LT(limiter.buckets(), 16u * 256u);
}

TEST(LocalRateLimiter, LookupsCountDistinctNumbersPerDayAndRefuseWhole) {
    FakeClock clock;
    clock.now = (kNow / 86'400'000) * 86'400'000 + 3'600'000;  // 01:00 UTC
    LocalRateLimiter limiter({20, 100, 5, 50, 3}, clock);
    EXPECT_TRUE(limiter.look_up("u", {"+1", "+2"}));
    EXPECT_TRUE(limiter.look_up("u", {"+1", "+2"}));  // the same numbers again count once
    auto refused = limiter.look_up("u", {"+2", "+3", "+4"});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "rate_limited");
    EXPECT_EQ(refused.error().retry_after_s, 23 * 3600);  // until midnight UTC
    EXPECT_TRUE(limiter.look_up("u", {"+3"}));  // the refused lookup counted nothing
    EXPECT_FALSE(limiter.look_up("u", {"+4"}));
    EXPECT_TRUE(limiter.look_up("other", {"+4"}));
    clock.now += 23 * 3'600'000;  // the next day
    EXPECT_TRUE(limiter.look_up("u", {"+4", "+5", "+6"}));
}

}  // namespace
}  // namespace flow
