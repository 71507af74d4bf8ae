#include "domain/otp.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

constexpr TimeMs kNow = 1'800'000'000'000;
constexpr TimeMs kSecond = 1000;

TEST(OtpSendLimits, FirstCodeGoes) {
    EXPECT_TRUE(check_can_send({}, OtpPolicy{}, kNow));
}

TEST(OtpSendLimits, ResendCoolDownGivesSecondsLeft) {
    const SendHistory history{{kNow - 10 * kSecond}, {}};
    auto refused = check_can_send(history, OtpPolicy{}, kNow);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "rate_limited");
    EXPECT_EQ(refused.error().retry_after_s, 20);
    EXPECT_TRUE(check_can_send(history, OtpPolicy{}, kNow + 20 * kSecond));
}

TEST(OtpSendLimits, PhoneHourlyCapFreesWhenOldestLeavesTheHour) {
    SendHistory history;
    for (int i = 5; i >= 1; --i) history.to_phone.push_back(kNow - i * 60 * kSecond);
    auto refused = check_can_send(history, OtpPolicy{}, kNow);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::rate_limited);
    // The oldest of the five was sent 5 minutes ago: a slot frees in 55 minutes.
    EXPECT_EQ(refused.error().retry_after_s, 55 * 60);
    EXPECT_TRUE(check_can_send(history, OtpPolicy{}, kNow + 55 * 60 * kSecond));
}

TEST(OtpSendLimits, SendsOlderThanAnHourDoNotCount) {
    SendHistory history;
    for (int i = 0; i < 5; ++i) history.to_phone.push_back(kNow - kHourMs - i * kSecond);
    EXPECT_TRUE(check_can_send(history, OtpPolicy{}, kNow));
}

TEST(OtpSendLimits, AddressCap) {
    OtpPolicy policy;
    policy.address_hourly_cap = 2;
    const SendHistory history{{}, {kNow - 30 * kSecond, kNow - 20 * kSecond}};
    auto refused = check_can_send(history, policy, kNow);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().retry_after_s, 3600 - 30);
}

TEST(OtpSendLimits, AddressCapOfZeroIsNone) {
    OtpPolicy policy;
    policy.address_hourly_cap = 0;
    const SendHistory history{{}, {kNow - 30 * kSecond, kNow - 20 * kSecond, kNow - 10 * kSecond}};
    EXPECT_TRUE(check_can_send(history, policy, kNow));
    EXPECT_EQ(SendHistory::needed(policy).from_address, 0u) << "nothing to read";
}

TEST(OtpVerify, NoChallengeOrExpiredIsExpired) {
    EXPECT_EQ(check_can_verify(nullptr, OtpPolicy{}, kNow).error().code, "otp_expired");
    const OtpChallenge old{"c", "+1", "h", kNow - 301 * kSecond, kNow - kSecond, 0};
    EXPECT_EQ(check_can_verify(&old, OtpPolicy{}, kNow).error().code, "otp_expired");
    EXPECT_EQ(check_can_verify(&old, OtpPolicy{}, kNow).error().kind, ErrorKind::unauthorized);
}

TEST(OtpVerify, LockedAfterMaxAttempts) {
    OtpChallenge challenge{"c", "+1", "h", kNow - 10 * kSecond, kNow + 290 * kSecond, 4};
    EXPECT_TRUE(check_can_verify(&challenge, OtpPolicy{}, kNow));
    challenge.attempts = 5;
    auto locked = check_can_verify(&challenge, OtpPolicy{}, kNow);
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, "otp_locked");
    EXPECT_EQ(locked.error().kind, ErrorKind::rate_limited);
    EXPECT_EQ(locked.error().retry_after_s, 20);  // a new code may be asked for then
}

TEST(OtpVerify, SecondsUntilRoundsUpAndIsAtLeastOne) {
    EXPECT_EQ(seconds_until(kNow + 1, kNow), 1);
    EXPECT_EQ(seconds_until(kNow + 1001, kNow), 2);
    EXPECT_EQ(seconds_until(kNow - 5000, kNow), 1);
}

}  // namespace
}  // namespace flow
