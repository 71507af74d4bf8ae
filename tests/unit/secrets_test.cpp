#include "auth/secrets.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

namespace flow {
namespace {

class SecretsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(SecretsTest, CodesAreSixDigitsAndVary) {
    std::set<std::string> codes;
    for (int i = 0; i < 200; ++i) {
        const auto code = Secrets::new_otp_code();
        ASSERT_EQ(code.size(), 6u);
        ASSERT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
        codes.insert(code);
    }
    EXPECT_GT(codes.size(), 190u);
}

TEST_F(SecretsTest, TokensAreLongAndUnique) {
    const auto a = Secrets::new_token();
    EXPECT_TRUE(a.starts_with("flw_"));
    EXPECT_EQ(a.size(), 4u + 43u);
    EXPECT_NE(a, Secrets::new_token());
}

TEST_F(SecretsTest, HashIsKeyed) {
    const Secrets one("a key of sixteen bytes or more");
    const Secrets two("another key, just as long");
    EXPECT_EQ(one.hash("123456").size(), 32u);
    EXPECT_TRUE(Secrets::equal(one.hash("123456"), one.hash("123456")));
    EXPECT_FALSE(Secrets::equal(one.hash("123456"), one.hash("123457")));
    EXPECT_FALSE(Secrets::equal(one.hash("123456"), two.hash("123456")));
    EXPECT_FALSE(Secrets::equal(one.hash("123456"), ""));
}

TEST_F(SecretsTest, ShortKeyIsRefused) {
    EXPECT_THROW(Secrets("short"), std::invalid_argument);
}

}  // namespace
}  // namespace flow
