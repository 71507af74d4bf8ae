#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/user.hpp"
#include "limits/rate_limiter.hpp"
#include "service/media_service.hpp"
#include "service/privacy_service.hpp"
#include "storage/user_store.hpp"

namespace flow {

inline constexpr std::size_t kMaxLookupPhones = 1000;

// Profiles: reading them, setting one's own, and finding contacts by phone number. A
// profile is shown as the viewer may see it (PrivacyService::seen_by).
// Blocking (storage): call it on the blocking pool. Thread-safe.
class UserService {
public:
    UserService(UserStore& users, PrivacyService& privacy, MediaService& media, RateLimiter& limits)
        : users_(users), privacy_(privacy), media_(media), limits_(limits) {}

    // The user's profile as `viewer_id` sees it.
    Result<User> get(const std::string& viewer_id, const std::string& user_id);
    // Sets the caller's own profile. register_user requires a name; modify_user does not.
    Result<User> update_profile(const std::string& user_id, const ProfileChange& change);
    // The registered users among `phones`, as `viewer_id` sees them; numbers that are not
    // valid are skipped, as an address book holds such entries. More than 1000 distinct
    // numbers is `invalid_argument` (`too_many_phones`; repeats count once); a lookup that
    // would take `viewer_id` past its distinct numbers of the day is refused whole
    // (`rate_limited`).
    Result<std::vector<User>> lookup(const std::string& viewer_id, const std::vector<std::string>& phones);

private:
    UserStore& users_;
    PrivacyService& privacy_;
    MediaService& media_;
    RateLimiter& limits_;
};

}  // namespace flow
