#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace flow {

// A person signed in with a phone number, and their public profile.
struct User {
    std::string id;
    // E.164; a deleted account's is deleted_phone(id), so that the number is free to sign
    // up again.
    std::string phone;
    std::string name;   // empty until the profile is registered
    std::string about;
    std::optional<std::string> image_id;
    TimeMs created_at = 0;
    std::optional<TimeMs> last_seen_at;
};

// What a deleted account keeps instead of a phone number: no number starts with it.
inline std::string deleted_phone(const std::string& user_id) { return "~" + user_id; }
inline bool is_deleted(const User& user) { return user.phone.starts_with('~'); }

// What a banned user gets for asking for a code or signing in with one.
inline Error banned_error() {
    return Error::forbidden("banned", "this number is banned from this service");
}

// The fields a profile update sets; an absent field is left as it was. `image_id` holds
// an inner nullopt to clear the picture.
struct ProfileChange {
    std::optional<std::string> name;
    std::optional<std::string> about;
    std::optional<std::optional<std::string>> image_id;
};

inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::size_t kMaxAboutLength = 256;

// Checks a profile change against the rules every profile follows: a name is 1 to 64
// characters and not blank, `about` at most 256 characters.
Status validate_profile_change(const ProfileChange& change);

// Applies a validated change to a user.
void apply_profile_change(User& user, const ProfileChange& change);

}  // namespace flow
