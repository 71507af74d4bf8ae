#include "auth/phone_number.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

TEST(PhoneNumber, NormalisesInternationalNotationToE164) {
    EXPECT_EQ(normalize_phone("+44 7911 123456"), "+447911123456");
    EXPECT_EQ(normalize_phone("0044 7911 123456"), "+447911123456");
    EXPECT_EQ(normalize_phone("+49 (151) 234-567.89"), "+4915123456789");
    EXPECT_EQ(normalize_phone("+33612345678"), "+33612345678");
}

TEST(PhoneNumber, RejectsWhatIsNotAValidInternationalNumber) {
    EXPECT_EQ(normalize_phone(""), std::nullopt);
    EXPECT_EQ(normalize_phone("07911 123456"), std::nullopt);      // national, no country code
    EXPECT_EQ(normalize_phone("+44 7911 12345a"), std::nullopt);   // a letter
    EXPECT_EQ(normalize_phone("+1-800-FLOWERS"), std::nullopt);    // vanity letters
    EXPECT_EQ(normalize_phone("+1 555 0100"), std::nullopt);       // too short for the plan
    EXPECT_EQ(normalize_phone("+999 123456789"), std::nullopt);    // no such country code
    EXPECT_EQ(normalize_phone("+44 7911 123456 +1"), std::nullopt);
    EXPECT_EQ(normalize_phone(std::string(100, '1')), std::nullopt);
}

// E.164 numbers have at most 15 digits; libphonenumber takes some longer German ones as
// valid (found by tests/fuzz/phone_number.cpp).
TEST(PhoneNumber, RejectsMoreThanFifteenDigits) {
    EXPECT_EQ(normalize_phone("+49 9353 041871187"), "+499353041871187");  // 15 digits
    EXPECT_EQ(normalize_phone("+4993530 418711871"), std::nullopt);         // 16
}

}  // namespace
}  // namespace flow
