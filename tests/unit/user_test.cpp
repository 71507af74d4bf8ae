#include "domain/user.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

ProfileChange name(std::string value) {
    ProfileChange change;
    change.name = std::move(value);
    return change;
}

TEST(Profile, NameLengthCountsCharactersNotBytes) {
    std::string sixty_four_emoji;
    for (int i = 0; i < 64; ++i) sixty_four_emoji += "\xF0\x9F\x98\x80";  // U+1F600
    EXPECT_TRUE(validate_profile_change(name(sixty_four_emoji)));
    EXPECT_EQ(validate_profile_change(name(sixty_four_emoji + "a")).error().code, "too_long");
    EXPECT_EQ(validate_profile_change(name(std::string(65, 'a'))).error().code, "too_long");
}

TEST(Profile, BlankNameIsRefused) {
    EXPECT_EQ(validate_profile_change(name("")).error().code, "invalid_name");
    EXPECT_EQ(validate_profile_change(name("  \t")).error().code, "invalid_name");
}

TEST(Profile, AboutLimit) {
    ProfileChange change;
    change.about = std::string(256, 'x');
    EXPECT_TRUE(validate_profile_change(change));
    change.about = std::string(257, 'x');
    EXPECT_EQ(validate_profile_change(change).error().code, "too_long");
}

TEST(Profile, ApplyChangesOnlyWhatIsGiven) {
    User user{"u1", "+447911123456", "Ann", "hi", std::string("img"), 1, std::nullopt};
    ProfileChange change;
    change.about = "new";
    change.image_id = std::optional<std::string>();
    apply_profile_change(user, change);
    EXPECT_EQ(user.name, "Ann");
    EXPECT_EQ(user.about, "new");
    EXPECT_EQ(user.image_id, std::nullopt);
}

}  // namespace
}  // namespace flow
