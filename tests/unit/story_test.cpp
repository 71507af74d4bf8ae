#include "domain/story.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

NewStory text_story(std::string text, std::optional<std::string> background = std::nullopt) {
    return NewStory{StoryType::text, std::move(text), std::nullopt, std::move(background)};
}

NewStory media_story(StoryType type, std::optional<std::string> media_id, std::string caption = "") {
    return NewStory{type, std::move(caption), std::move(media_id), std::nullopt};
}

std::string code_of(const Status& status) { return status ? "" : status.error().code; }

TEST(Story, TypesRoundTrip) {
    for (auto type : {StoryType::text, StoryType::image, StoryType::video})
        EXPECT_EQ(story_type_from(to_string(type)), type);
    EXPECT_EQ(story_type_from("audio"), std::nullopt);
    EXPECT_EQ(story_type_from("Text"), std::nullopt);
}

TEST(Story, TextStoryNeedsTextAndNoMedia) {
    EXPECT_TRUE(validate_new_story(text_story("hello")));
    EXPECT_EQ(code_of(validate_new_story(text_story(""))), "empty_text");
    auto with_media = text_story("hi");
    with_media.media_id = "m1";
    EXPECT_EQ(code_of(validate_new_story(with_media)), "invalid_media");
}

TEST(Story, TextIsAtMostAThousandCharacters) {
    std::string thousand_emoji;
    for (int i = 0; i < 1000; ++i) thousand_emoji += "\xF0\x9F\x98\x80";  // U+1F600
    EXPECT_TRUE(validate_new_story(text_story(thousand_emoji)));
    EXPECT_EQ(code_of(validate_new_story(text_story(thousand_emoji + "a"))), "too_long");
    EXPECT_EQ(code_of(validate_new_story(media_story(StoryType::image, "m1", std::string(1001, 'x')))),
              "too_long");
}

TEST(Story, BackgroundIsAHexColourOnTextStoriesOnly) {
    EXPECT_TRUE(validate_new_story(text_story("hi", "#1a2B3c")));
    for (const char* bad : {"", "1A2B3C", "#1A2B3", "#1A2B3C4", "#GGGGGG", "red", "#1A2B3 "})
        EXPECT_EQ(code_of(validate_new_story(text_story("hi", bad))), "invalid_background") << bad;
    auto image = media_story(StoryType::image, "m1");
    image.background = "#000000";
    EXPECT_EQ(code_of(validate_new_story(image)), "invalid_background");
}

TEST(Story, MediaStoryNeedsMediaAndMayHaveACaption) {
    EXPECT_TRUE(validate_new_story(media_story(StoryType::image, "m1")));
    EXPECT_TRUE(validate_new_story(media_story(StoryType::video, "m1", "caption")));
    EXPECT_EQ(code_of(validate_new_story(media_story(StoryType::video, std::nullopt))), "missing_field");
}

TEST(Story, LiveUntilItExpires) {
    Story story;
    story.created_at = 1000;
    story.expires_at = 2000;
    EXPECT_TRUE(story.live_at(1999));
    EXPECT_FALSE(story.live_at(2000));
}

StoryView view(std::string id, std::string user, TimeMs at) {
    Story story;
    story.id = std::move(id);
    story.user_id = std::move(user);
    story.created_at = at;
    return {story, false};
}

TEST(Story, GroupsByUserNewestFirst) {
    const auto groups = group_stories({view("a1", "ann", 10), view("b1", "bob", 20), view("a2", "ann", 5),
                                       view("c1", "cy", 15), view("b2", "bob", 30)});
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].user_id, "bob");
    EXPECT_EQ(groups[1].user_id, "cy");
    EXPECT_EQ(groups[2].user_id, "ann");
    ASSERT_EQ(groups[0].stories.size(), 2u);
    EXPECT_EQ(groups[0].stories[0].story.id, "b2");
    EXPECT_EQ(groups[0].stories[1].story.id, "b1");
    EXPECT_EQ(groups[2].stories[0].story.id, "a1");
    EXPECT_EQ(groups[2].stories[1].story.id, "a2");
    EXPECT_TRUE(group_stories({}).empty());
}

}  // namespace
}  // namespace flow
