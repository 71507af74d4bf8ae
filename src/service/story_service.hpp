#pragma once

#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/story.hpp"
#include "domain/user.hpp"
#include "service/auth_service.hpp"
#include "service/media_service.hpp"
#include "service/privacy_service.hpp"
#include "storage/chat_store.hpp"
#include "storage/story_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// One user's live stories in the feed, with their profile as the viewer may see it.
struct StoryFeedGroup {
    User user;
    std::vector<StoryView> stories;
};

// Stories: posting, the feed of one's own and contacts' live stories, views, deleting.
// Contacts are as domain/chat.hpp defines them (a direct chat both took part in). A story the caller may not see (a
// stranger's, an expired one, another's for owner-only calls) is not_found, so existence
// is not leaked. Publishes story:new. Blocking (storage): call it on the blocking pool.
// Thread-safe.
class StoryService {
public:
    StoryService(StoryStore& stories, ChatStore& chats, UserStore& users, PrivacyService& privacy,
                 MediaService& media, EventBus& bus, const Clock& clock, TimeMs ttl_ms)
        : stories_(stories), chats_(chats), users_(users), privacy_(privacy), media_(media), bus_(bus),
          clock_(clock), ttl_ms_(ttl_ms) {}

    Result<Story> create(const Caller& caller, const NewStory& story);
    // The caller's own and contacts' live stories, grouped by user, newest group first.
    std::vector<StoryFeedGroup> feed(const Caller& caller);
    // Records the caller's view, once; viewing one's own story records nothing.
    Status view(const Caller& caller, const std::string& story_id);
    // Who viewed the caller's own live story.
    Result<std::vector<StoryViewer>> viewers(const Caller& caller, const std::string& story_id);
    Status remove(const Caller& caller, const std::string& story_id);

private:
    // The story, when it is live and the caller's own (or, unless `own_only`, a contact's).
    Result<Story> visible_story(const Caller& caller, const std::string& story_id, bool own_only);

    StoryStore& stories_;
    ChatStore& chats_;
    UserStore& users_;
    PrivacyService& privacy_;
    MediaService& media_;
    EventBus& bus_;
    const Clock& clock_;
    TimeMs ttl_ms_;
};

}  // namespace flow
