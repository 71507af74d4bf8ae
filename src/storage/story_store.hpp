#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/story.hpp"

namespace flow {

// Stories and who has viewed them. Reads return stories with their Media filled in.
// Every call is atomic, and a write is durable when it returns. Thread-safe; may block.
class StoryStore {
public:
    virtual ~StoryStore() = default;

    virtual void insert(const Story& story) = 0;
    // The story, live or not; nullopt when there is none (or it was deleted).
    virtual std::optional<Story> find(const std::string& story_id) = 0;
    // The stories of these users still live at `now`, each with whether `viewer_id` has
    // viewed it.
    virtual std::vector<StoryView> live_of(const std::vector<std::string>& user_ids,
                                           const std::string& viewer_id, TimeMs now) = 0;
    // Records that `user_id` viewed the story at `at`, unless they already had (the
    // first time is kept).
    virtual void record_view(const std::string& story_id, const std::string& user_id, TimeMs at) = 0;
    // The story's viewers, first viewer first.
    virtual std::vector<StoryViewer> viewers(const std::string& story_id) = 0;
    // Deletes the story and its views.
    virtual void remove(const std::string& story_id) = 0;
    // Deletes every story of the user, and their views.
    virtual void remove_all_of(const std::string& user_id) = 0;
    // Deletes every story expired by `now`, with its views; returns the media ids those
    // stories had, so that media nothing else uses can go too.
    virtual std::vector<std::string> remove_expired(TimeMs now) = 0;
};

}  // namespace flow
