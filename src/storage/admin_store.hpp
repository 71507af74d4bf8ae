#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"

namespace flow {

// A user as the operator sees them: the profile, whether they are banned, and how many
// devices are signed in.
struct UserRecord {
    User user;
    std::optional<TimeMs> banned_at;
    std::int64_t devices = 0;
};

// What the stores hold, counted cheaply (no scan of the messages).
struct StoreCounts {
    std::int64_t users = 0;         // not deleted
    std::int64_t banned_users = 0;
    std::int64_t deleted_users = 0;
    std::int64_t devices = 0;       // signed-in devices (tokens)
    std::int64_t chats = 0;
    std::int64_t messages = 0;      // ever sent, deleted and expired ones included
    std::int64_t media_objects = 0;
    std::int64_t media_bytes = 0;
    std::int64_t reports = 0;
    std::int64_t open_reports = 0;
};

// What the operator's tool (flowctl) reads and changes beside the stores of the API:
// users by phone or id with their ban, bans, and counts. Thread-safe; may block; a write
// is durable when it returns.
class AdminStore {
public:
    virtual ~AdminStore() = default;

    virtual std::optional<UserRecord> find_user(const std::string& user_id) = 0;
    // The user who has the phone (E.164) now.
    virtual std::optional<UserRecord> find_by_phone(const std::string& phone) = 0;
    // Atomically: marks the user banned at `now` (unless they were already: the first time
    // is kept) and ends every device of theirs; the ids of the devices ended. nullopt for
    // no such user. A sign-in completing at the same time either ends before (its device
    // is ended here) or sees the ban (SignInStore::complete_sign_in).
    virtual std::optional<std::vector<std::string>> ban(const std::string& user_id, TimeMs now) = 0;
    // Lifts the ban; false for no such user.
    virtual bool unban(const std::string& user_id) = 0;
    virtual StoreCounts counts() = 0;
};

}  // namespace flow
