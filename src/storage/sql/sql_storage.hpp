#pragma once

#include <memory>
#include <string>

#include "storage/sql/database.hpp"
#include "storage/sql/sql_admin_store.hpp"
#include "storage/sql/sql_block_store.hpp"
#include "storage/sql/sql_call_store.hpp"
#include "storage/sql/sql_chat_store.hpp"
#include "storage/sql/sql_device_store.hpp"
#include "storage/sql/sql_media_catalog.hpp"
#include "storage/sql/sql_privacy_store.hpp"
#include "storage/sql/sql_report_store.hpp"
#include "storage/sql/sql_sign_in_store.hpp"
#include "storage/sql/sql_story_store.hpp"
#include "storage/sql/sql_user_store.hpp"
#include "storage/storage.hpp"

namespace flow::sql {

// Flow's state in an SQL database (SQLite or PostgreSQL) already migrated to the newest
// schema: the same stores, the same SQL, on either engine.
class SqlStorage final : public Storage {
public:
    explicit SqlStorage(std::unique_ptr<Database> db)
        : db_(std::move(db)), users_(*db_), sign_in_(*db_), devices_(*db_), chats_(*db_), media_(*db_), stories_(*db_),
          calls_(*db_), privacy_(*db_), reports_(*db_), blocks_(*db_), admin_(*db_) {}

    UserStore& users() override { return users_; }
    SignInStore& sign_in() override { return sign_in_; }
    DeviceStore& devices() override { return devices_; }
    ChatStore& chats() override { return chats_; }
    MediaCatalog& media() override { return media_; }
    StoryStore& stories() override { return stories_; }
    CallStore& calls() override { return calls_; }
    PrivacyStore& privacy() override { return privacy_; }
    ReportStore& reports() override { return reports_; }
    BlockStore& blocks() override { return blocks_; }
    AdminStore& admin() override { return admin_; }
    std::string secret_fingerprint(const std::string& mine) override;
    bool ping() override { return db_->ping(); }
    std::string backend() const override { return db_->engine(); }

private:
    std::unique_ptr<Database> db_;
    SqlUserStore users_;
    SqlSignInStore sign_in_;
    SqlDeviceStore devices_;
    SqlChatStore chats_;
    SqlMediaCatalog media_;
    SqlStoryStore stories_;
    SqlCallStore calls_;
    SqlPrivacyStore privacy_;
    SqlReportStore reports_;
    SqlBlockStore blocks_;
    SqlAdminStore admin_;
};

}  // namespace flow::sql
