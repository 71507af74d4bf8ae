#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/user.hpp"
#include "service/media_service.hpp"
#include "storage/user_store.hpp"

namespace flow {

inline constexpr std::size_t kMaxLookupPhones = 1000;

// Profiles: reading them, setting one's own, and finding contacts by phone number.
// Blocking (storage): call it on the blocking pool. Thread-safe.
class UserService {
public:
    UserService(UserStore& users, MediaService& media) : users_(users), media_(media) {}

    Result<User> get(const std::string& user_id);
    // Sets the caller's own profile. register_user requires a name; modify_user does not.
    Result<User> update_profile(const std::string& user_id, const ProfileChange& change);
    // The registered users among `phones`; numbers that are not valid are skipped, as an
    // address book holds such entries. More than 1000 distinct numbers is `invalid_argument`
    // (`too_many_phones`); repeats count once.
    Result<std::vector<User>> lookup(const std::vector<std::string>& phones);

private:
    UserStore& users_;
    MediaService& media_;
};

}  // namespace flow
