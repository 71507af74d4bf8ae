#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "domain/block.hpp"

namespace flow {

// Who blocked whom, and how each blocked user saw their blocker then (domain/block.hpp).
// The chat store reads the same table for the members of direct chats (Participant::
// blocks_other). Thread-safe; may block; a write is durable when it returns.
class BlockStore {
public:
    virtual ~BlockStore() = default;

    // Starts a block with the blocked user's view of the blocker frozen as `seen`;
    // false, and the first view kept, when it stands already. Both users exist.
    virtual bool block(const std::string& blocker_id, const std::string& blocked_id, const FrozenProfile& seen,
                       TimeMs now) = 0;
    // False when there was no such block.
    virtual bool unblock(const std::string& blocker_id, const std::string& blocked_id) = 0;
    // The users `blocker_id` blocks, the latest first.
    virtual std::vector<std::string> blocked_by(const std::string& blocker_id) = 0;
    // Of `user_ids`, those who block `viewer_id`, each with the view frozen for them.
    virtual std::unordered_map<std::string, FrozenProfile> blockers_of(const std::string& viewer_id,
                                                                       const std::vector<std::string>& user_ids) = 0;
};

}  // namespace flow
