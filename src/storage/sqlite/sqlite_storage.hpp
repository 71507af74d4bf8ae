#pragma once

#include <memory>
#include <string>

#include "storage/sqlite/sqlite_call_store.hpp"
#include "storage/sqlite/sqlite_chat_store.hpp"
#include "storage/sqlite/sqlite_database.hpp"
#include "storage/sqlite/sqlite_media_catalog.hpp"
#include "storage/sqlite/sqlite_sign_in_store.hpp"
#include "storage/sqlite/sqlite_story_store.hpp"
#include "storage/sqlite/sqlite_user_store.hpp"
#include "storage/storage.hpp"

namespace flow::sqlite {

// Flow's state in one SQLite file, migrated to the newest schema on open.
class SqliteStorage final : public Storage {
public:
    explicit SqliteStorage(const std::string& path);

    UserStore& users() override { return users_; }
    SignInStore& sign_in() override { return sign_in_; }
    ChatStore& chats() override { return chats_; }
    MediaCatalog& media() override { return media_; }
    StoryStore& stories() override { return stories_; }
    CallStore& calls() override { return calls_; }
    bool ping() override;
    std::string backend() const override { return "sqlite"; }

private:
    Database db_;
    SqliteUserStore users_;
    SqliteSignInStore sign_in_;
    SqliteChatStore chats_;
    SqliteMediaCatalog media_;
    SqliteStoryStore stories_;
    SqliteCallStore calls_;
};

}  // namespace flow::sqlite
