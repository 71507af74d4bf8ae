#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"

namespace flow {

// Users and their profiles. Implementations are thread-safe and may block; a write
// has reached durable storage when the call returns. Failures of the database itself
// are thrown (the request boundary answers them as 503/500).
class UserStore {
public:
    virtual ~UserStore() = default;

    virtual std::optional<User> find(const std::string& user_id) = 0;
    // The users among `phones` (E.164) who exist, in no particular order.
    virtual std::vector<User> find_by_phones(const std::vector<std::string>& phones) = 0;
    // Applies a validated change; nullopt when the user does not exist.
    virtual std::optional<User> update_profile(const std::string& user_id,
                                               const ProfileChange& change) = 0;
    // Records when the user was last seen (their last device went offline).
    virtual void touch_last_seen(const std::string& user_id, TimeMs at) = 0;
    // A deleted account: its profile erased and its phone freed (see deleted_phone). The
    // row stays, so that what others keep (messages, calls) still names a user.
    virtual void erase(const std::string& user_id) = 0;
};

}  // namespace flow
