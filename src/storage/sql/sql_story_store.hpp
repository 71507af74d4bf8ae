#pragma once

#include "storage/sql/database.hpp"
#include "storage/story_store.hpp"

namespace flow::sql {

// StoryStore in SQL, on either engine. Thread-safe through its Database.
class SqlStoryStore final : public StoryStore {
public:
    explicit SqlStoryStore(Database& db) : db_(db) {}

    void insert(const Story& story) override;
    std::optional<Story> find(const std::string& story_id) override;
    std::vector<StoryView> live_of(const std::vector<std::string>& user_ids, const std::string& viewer_id,
                                   TimeMs now) override;
    void record_view(const std::string& story_id, const std::string& user_id, TimeMs at) override;
    std::vector<StoryViewer> viewers(const std::string& story_id) override;
    void remove(const std::string& story_id) override;
    void remove_all_of(const std::string& user_id) override;
    std::vector<std::string> remove_expired(TimeMs now) override;

private:
    Database& db_;
};

}  // namespace flow::sql
