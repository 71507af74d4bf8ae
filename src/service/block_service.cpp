#include "service/block_service.hpp"

#include "domain/block.hpp"

namespace flow {

namespace {

Result<User> existing_user(UserStore& users, const std::string& user_id) {
    auto user = users.find(user_id);
    if (!user || is_deleted(*user)) return Error::not_found("no such user");
    return std::move(*user);
}

}  // namespace

Status BlockService::block(const Caller& caller, const std::string& user_id) {
    if (auto allowed = check_may_block(caller.user_id, user_id); !allowed) return allowed;
    if (auto blocked = existing_user(users_, user_id); !blocked) return std::move(blocked).error();
    auto me = existing_user(users_, caller.user_id);
    if (!me) return std::move(me).error();
    // How the blocked user sees the caller now, before the block changes it.
    const auto seen = freeze(privacy_.seen_by(user_id, std::move(*me)));
    blocks_.block(caller.user_id, user_id, seen, clock_.now_ms());
    return Ok{};
}

Status BlockService::unblock(const Caller& caller, const std::string& user_id) {
    if (auto blocked = existing_user(users_, user_id); !blocked) return std::move(blocked).error();
    blocks_.unblock(caller.user_id, user_id);
    return Ok{};
}

std::vector<User> BlockService::blocked(const Caller& caller) {
    std::vector<User> users;
    for (const auto& id : blocks_.blocked_by(caller.user_id))
        if (auto user = users_.find(id)) users.push_back(std::move(*user));
    return privacy_.seen_by(caller.user_id, std::move(users));
}

}  // namespace flow
