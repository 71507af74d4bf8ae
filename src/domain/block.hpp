#pragma once

#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/user.hpp"

namespace flow {

// What a blocked user goes on seeing of the user who blocked them: the profile as it was
// when the block began, so that nothing the blocker changes from then on (photo, about,
// last seen) reaches them, and nothing they saw vanishes to tell them of the block.
struct FrozenProfile {
    std::optional<std::string> image_id;
    std::string about;
    std::optional<TimeMs> last_seen_at;

    bool operator==(const FrozenProfile&) const = default;
};

// The parts of `seen` (the blocker as the blocked user saw them) that stop changing.
FrozenProfile freeze(const User& seen);
// `user` (the blocker) as the user they blocked sees them.
User seen_frozen(User user, const FrozenProfile& frozen);

// No one blocks themself: `self_block` (invalid).
Status check_may_block(const std::string& blocker_id, const std::string& blocked_id);

}  // namespace flow
