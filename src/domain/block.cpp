#include "domain/block.hpp"

namespace flow {

FrozenProfile freeze(const User& seen) { return {seen.image_id, seen.about, seen.last_seen_at}; }

User seen_frozen(User user, const FrozenProfile& frozen) {
    user.image_id = frozen.image_id;
    user.about = frozen.about;
    user.last_seen_at = frozen.last_seen_at;
    return user;
}

Status check_may_block(const std::string& blocker_id, const std::string& blocked_id) {
    if (blocker_id == blocked_id) return Error::invalid("self_block", "you cannot block yourself");
    return Ok{};
}

}  // namespace flow
