#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/media.hpp"

namespace flow {

enum class StoryType { text, image, video };

std::string_view to_string(StoryType type);
std::optional<StoryType> story_type_from(std::string_view name);

// A post that the owner's contacts (see domain/chat.hpp) may see until it
// expires: a text on a background colour, or an image or video with a caption.
struct Story {
    std::string id;
    std::string user_id;
    StoryType type = StoryType::text;
    std::string text;  // the text, or a media story's caption
    std::optional<std::string> media_id;
    std::optional<std::string> background;  // "#RRGGBB", text stories only
    TimeMs created_at = 0;
    TimeMs expires_at = 0;
    std::optional<Media> media;  // what media_id names, when read back

    bool live_at(TimeMs now) const { return now < expires_at; }
};

// What an owner asks to post.
struct NewStory {
    StoryType type = StoryType::text;
    std::string text;
    std::optional<std::string> media_id;
    std::optional<std::string> background;
};

// A story as one viewer sees it in the feed.
struct StoryView {
    Story story;
    bool viewed = false;
};

// One viewer of a story, and when they first looked.
struct StoryViewer {
    std::string user_id;
    TimeMs viewed_at = 0;
};

// The feed's stories of one user, newest first.
struct StoryGroup {
    std::string user_id;
    std::vector<StoryView> stories;
};

// A story's text (or caption): at most 1000 characters, about a screenful.
inline constexpr std::size_t kMaxStoryTextLength = 1000;

// The rules of a story's shape: a text story has non-empty text, no media_id, and an
// optional background "#RRGGBB"; an image or video story has a media_id and no
// background; text at most 1000 characters.
Status validate_new_story(const NewStory& story);

// Whether `colour` is "#RRGGBB" (hex digits, either case).
bool is_background_colour(std::string_view colour);

// Groups stories by owner: each group newest story first, the groups ordered by their
// newest story, newest first.
std::vector<StoryGroup> group_stories(std::vector<StoryView> stories);

}  // namespace flow
