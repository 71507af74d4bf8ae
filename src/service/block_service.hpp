#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/user.hpp"
#include "service/auth_service.hpp"
#include "service/privacy_service.hpp"
#include "storage/block_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// Blocking and unblocking other users, and the list of whom one blocks. What a block
// changes is applied where it acts: in direct chats (blocked_between in domain/chat.hpp),
// contacts (a block ends them: stories, presence), profiles and group adds (PrivacyService),
// calls (CallService). All of it is read from storage at each use, so a block holds on
// every node at once. Blocking (storage): call it on the blocking pool. Thread-safe.
class BlockService {
public:
    BlockService(BlockStore& blocks, UserStore& users, PrivacyService& privacy, const Clock& clock)
        : blocks_(blocks), users_(users), privacy_(privacy), clock_(clock) {}

    // Idempotent; `self_block` for oneself, not_found for no such user.
    Status block(const Caller& caller, const std::string& user_id);
    // Idempotent; not_found for no such user. Nothing blocked meanwhile is delivered.
    Status unblock(const Caller& caller, const std::string& user_id);
    // Whom the caller blocks, the latest first, as the caller sees them.
    std::vector<User> blocked(const Caller& caller);

private:
    BlockStore& blocks_;
    UserStore& users_;
    PrivacyService& privacy_;
    const Clock& clock_;
};

}  // namespace flow
