#include "domain/user.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace flow {

Status validate_profile_change(const ProfileChange& change) {
    if (change.name) {
        const auto& name = *change.name;
        const bool blank = std::all_of(name.begin(), name.end(),
                                       [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
        if (blank) return Error::invalid("invalid_name", "name must not be empty");
        if (utf8_length(name) > kMaxNameLength)
            return Error::invalid("too_long", "name is longer than 64 characters");
    }
    if (change.about && utf8_length(*change.about) > kMaxAboutLength)
        return Error::invalid("too_long", "about is longer than 256 characters");
    return Ok{};
}

void apply_profile_change(User& user, const ProfileChange& change) {
    if (change.name) user.name = *change.name;
    if (change.about) user.about = *change.about;
    if (change.image_id) user.image_id = *change.image_id;
}

}  // namespace flow
