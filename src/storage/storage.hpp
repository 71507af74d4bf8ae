#pragma once

#include <string>

#include "storage/admin_store.hpp"
#include "storage/block_store.hpp"
#include "storage/call_store.hpp"
#include "storage/chat_store.hpp"
#include "storage/device_store.hpp"
#include "storage/media_catalog.hpp"
#include "storage/privacy_store.hpp"
#include "storage/report_store.hpp"
#include "storage/sign_in_store.hpp"
#include "storage/story_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// All of Flow's durable state behind one backend (SQLite or PostgreSQL); owns the
// connections. The stores it hands out live as long as it does.
class Storage {
public:
    virtual ~Storage() = default;
    virtual UserStore& users() = 0;
    virtual SignInStore& sign_in() = 0;
    virtual DeviceStore& devices() = 0;
    virtual ChatStore& chats() = 0;
    virtual MediaCatalog& media() = 0;
    virtual StoryStore& stories() = 0;
    virtual CallStore& calls() = 0;
    virtual PrivacyStore& privacy() = 0;
    virtual ReportStore& reports() = 0;
    virtual BlockStore& blocks() = 0;
    virtual AdminStore& admin() = 0;
    // The fingerprint of the secret key that the nodes sharing this database use: the one
    // stored first, `mine` when none was. Blocking.
    virtual std::string secret_fingerprint(const std::string& mine) = 0;
    // Whether the database answers; for /health. Blocking.
    virtual bool ping() = 0;
    // A short name of the backend, for logs.
    virtual std::string backend() const = 0;
};

}  // namespace flow
