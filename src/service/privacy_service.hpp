#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/privacy.hpp"
#include "storage/block_store.hpp"
#include "storage/chat_store.hpp"
#include "storage/privacy_store.hpp"

namespace flow {

// Privacy settings: reading and changing one's own, and applying everyone's wherever a
// profile, a presence or a read mark leaves the server. The rules are domain/privacy.hpp's;
// this gathers what they need (the settings, whether two users are contacts), so that
// every answer and event asks the same question the same way. Blocking (storage): call
// it on the blocking pool. Thread-safe once built.
class PrivacyService {
public:
    PrivacyService(PrivacyStore& settings, ChatStore& chats, BlockStore& blocks)
        : settings_(settings), chats_(chats), blocks_(blocks) {}

    // Hears every change, after it is stored (presence uses it); set once at start,
    // before any request.
    using Changed = std::function<void(const std::string& user_id, const PrivacyUpdate& update)>;
    void on_change(Changed listener) { changed_ = std::move(listener); }

    PrivacySettings get(const std::string& user_id) { return settings_.find(user_id); }
    // Changes the caller's own settings; `invalid_field` for groups_add nobody.
    Result<PrivacySettings> update(const std::string& user_id, const PrivacyChange& change);

    // Profiles as `viewer_id` may see them (profile_seen_by), in the same order; frozen as
    // they were (seen_frozen) for a viewer their user blocked.
    User seen_by(const std::string& viewer_id, User user);
    std::vector<User> seen_by(const std::string& viewer_id, std::vector<User> users);
    // Of `to`, the members of `chat` whom `reader_id`'s read marks in it reach
    // (shares_read_receipts).
    std::vector<std::string> read_receipt_audience(const Chat& chat, const std::string& reader_id,
                                                   std::vector<std::string> to);
    // Whether `adder_id` may add every one of `user_ids` (not themself) to a group
    // (check_may_add_to_group): `not_allowed`, naming the first who may not be, otherwise;
    // the same for one who blocked the adder, so that the adder cannot tell it apart.
    Status check_may_add_to_group(const std::string& adder_id, const std::vector<std::string>& user_ids);

private:
    PrivacyStore& settings_;
    ChatStore& chats_;
    BlockStore& blocks_;
    Changed changed_;
};

}  // namespace flow
