#include "auth/turn_credentials.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

TEST(TurnCredentials, CoturnRestScheme) {
    // Known answer: base64(HMAC-SHA1("north-secret", "1700000000:u1")), as coturn computes it.
    const auto login = make_turn_credential("north-secret", "u1", 1'700'000'000);
    EXPECT_EQ(login.username, "1700000000:u1");
    EXPECT_EQ(login.credential, "a467usYOV/C0iWbPAc8nNxloj5Y=");
}

TEST(TurnCredentials, DependOnSecretAndExpiry) {
    const auto a = make_turn_credential("north-secret", "u1", 1'700'000'000);
    EXPECT_NE(a.credential, make_turn_credential("south-secret", "u1", 1'700'000'000).credential);
    EXPECT_NE(a.credential, make_turn_credential("north-secret", "u1", 1'700'000'001).credential);
}

}  // namespace
}  // namespace flow
