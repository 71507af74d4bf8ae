#include "domain/story.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "common/utf8.hpp"

namespace flow {

namespace {

constexpr std::array<std::string_view, 3> kTypeNames = {"text", "image", "video"};

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

std::string_view to_string(StoryType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<StoryType> story_type_from(std::string_view name) {
    for (std::size_t i = 0; i < kTypeNames.size(); ++i)
        if (kTypeNames[i] == name) return static_cast<StoryType>(i);
    return std::nullopt;
}

bool is_background_colour(std::string_view colour) {
    return colour.size() == 7 && colour[0] == '#' && std::all_of(colour.begin() + 1, colour.end(), is_hex_digit);
}

Status validate_new_story(const NewStory& story) {
    if (utf8_length(story.text) > kMaxStoryTextLength)
        return Error::invalid("too_long", "a story's text is at most 1000 characters");
    if (story.type == StoryType::text) {
        if (story.text.empty()) return Error::invalid("empty_text", "a text story needs text");
        if (story.media_id) return Error::invalid("invalid_media", "a text story carries no media_id");
        if (story.background && !is_background_colour(*story.background))
            return Error::invalid("invalid_background", "background must be a colour like #1A2B3C");
        return Ok{};
    }
    if (!story.media_id) return Error::invalid("missing_field", "an image or video story needs a media_id");
    if (story.background)
        return Error::invalid("invalid_background", "only a text story has a background");
    return Ok{};
}

std::vector<StoryGroup> group_stories(std::vector<StoryView> stories) {
    std::stable_sort(stories.begin(), stories.end(), [](const StoryView& a, const StoryView& b) {
        return a.story.created_at > b.story.created_at;
    });
    // Newest first overall, so a user's group is placed where their newest story is.
    std::vector<StoryGroup> groups;
    std::map<std::string, std::size_t, std::less<>> index;
    for (auto& view : stories) {
        auto [at, fresh] = index.try_emplace(view.story.user_id, groups.size());
        if (fresh) groups.push_back({view.story.user_id, {}});
        groups[at->second].stories.push_back(std::move(view));
    }
    return groups;
}

}  // namespace flow
