#include "service/story_service.hpp"

#include "common/ids.hpp"

namespace flow {

Result<Story> StoryService::create(const Caller& caller, const NewStory& request) {
    if (auto valid = validate_new_story(request); !valid) return std::move(valid).error();
    const TimeMs now = clock_.now_ms();
    Story story{new_id(now), caller.user_id, request.type, request.text, request.media_id,
                request.background, now, now + ttl_ms_, std::nullopt};
    if (story.media_id) {
        auto media = media_.attachable(caller.user_id, *story.media_id, to_string(story.type));
        if (!media) return std::move(media).error();
        story.media = std::move(*media);
    }
    stories_.insert(story);
    // The owner's own devices stay in step with what their contacts see.
    auto to = chats_.contacts_of(caller.user_id);
    to.push_back(caller.user_id);
    bus_.publish({std::move(to), caller.session_id, event::StoryNew{story}});
    return story;
}

std::vector<StoryFeedGroup> StoryService::feed(const Caller& caller) {
    auto owners = chats_.contacts_of(caller.user_id);
    owners.push_back(caller.user_id);
    std::vector<StoryFeedGroup> feed;
    std::vector<User> users;
    for (auto& group : group_stories(stories_.live_of(owners, caller.user_id, clock_.now_ms()))) {
        auto user = users_.find(group.user_id);
        if (!user) continue;
        users.push_back(std::move(*user));
        feed.push_back({{}, std::move(group.stories)});
    }
    users = privacy_.seen_by(caller.user_id, std::move(users));
    for (std::size_t i = 0; i < feed.size(); ++i) feed[i].user = std::move(users[i]);
    return feed;
}

Result<Story> StoryService::visible_story(const Caller& caller, const std::string& story_id, bool own_only) {
    auto story = stories_.find(story_id);
    if (!story || !story->live_at(clock_.now_ms())) return Error::not_found("no such story");
    if (story->user_id == caller.user_id) return std::move(*story);
    if (!own_only && chats_.are_contacts(caller.user_id, story->user_id)) return std::move(*story);
    return Error::not_found("no such story");
}

Status StoryService::view(const Caller& caller, const std::string& story_id) {
    auto story = visible_story(caller, story_id, false);
    if (!story) return std::move(story).error();
    if (story->user_id != caller.user_id) stories_.record_view(story_id, caller.user_id, clock_.now_ms());
    return Ok{};
}

Result<std::vector<StoryViewer>> StoryService::viewers(const Caller& caller, const std::string& story_id) {
    auto story = visible_story(caller, story_id, true);
    if (!story) return std::move(story).error();
    return stories_.viewers(story_id);
}

Status StoryService::remove(const Caller& caller, const std::string& story_id) {
    auto story = visible_story(caller, story_id, true);
    if (!story) return std::move(story).error();
    stories_.remove(story_id);
    return Ok{};
}

}  // namespace flow
