#include "domain/chat.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace flow {

std::string_view to_string(ChatType type) { return type == ChatType::direct ? "direct" : "group"; }
std::string_view to_string(Role role) { return role == Role::admin ? "admin" : "member"; }

const Participant* Chat::participant(std::string_view user_id) const {
    for (const auto& p : participants)
        if (p.user_id == user_id) return &p;
    return nullptr;
}

std::vector<std::string> Chat::member_ids(std::string_view except) const {
    std::vector<std::string> ids;
    for (const auto& p : participants)
        if (p.user_id != except) ids.push_back(p.user_id);
    return ids;
}

std::vector<std::string> Chat::members_seeing(Seq seq) const {
    std::vector<std::string> ids;
    for (const auto& p : participants)
        if (p.joined_seq <= seq) ids.push_back(p.user_id);
    return ids;
}

Status check_mentions(const Chat& chat, const std::vector<std::string>& user_ids) {
    for (const auto& id : user_ids)
        if (!chat.participant(id)) return Error::invalid("invalid_mention", "mentions name only members of the chat");
    return Ok{};
}

Status validate_group_name(std::string_view name) {
    if (name.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Error::invalid("invalid_name", "a group needs a name");
    if (utf8_length(name) > kMaxGroupNameLength)
        return Error::invalid("too_long", "a group name is at most 100 characters");
    return Ok{};
}

Status validate_disappearing_seconds(std::int64_t seconds) {
    if (seconds == 0) return Ok{};
    for (const auto period : kDisappearingPeriods)
        if (seconds == period) return Ok{};
    return Error::invalid("invalid_period", "seconds must be 0 (off), 86400, 604800 or 7776000");
}

Status check_can_set_disappearing(const Chat& chat, std::string_view user_id) {
    if (chat.type == ChatType::direct) return Ok{};
    return check_is_group_admin(chat, user_id);
}

std::string disappearing_notice(std::int64_t seconds) {
    if (seconds == 0) return "turned off disappearing messages";
    const auto days = seconds / 86400;
    return "turned on disappearing messages: " + std::to_string(days) + (days == 1 ? " day" : " days");
}

Status check_is_group_admin(const Chat& chat, std::string_view user_id) {
    if (chat.type != ChatType::group)
        return Error::invalid("not_group", "only a group chat can be changed this way");
    const auto* p = chat.participant(user_id);
    if (!p || p->role != Role::admin)
        return Error::forbidden("not_admin", "only a group admin may do this");
    return Ok{};
}

Status check_can_remove(const Chat& chat, std::string_view actor, std::string_view target) {
    if (chat.type != ChatType::group)
        return Error::invalid("not_group", "nobody can be removed from a direct chat");
    if (!chat.participant(target)) return Error::not_found("that user is not in this chat");
    if (actor == target) return Ok{};
    return check_is_group_admin(chat, actor);
}

void remove_participant(Chat& chat, std::string_view user_id) {
    std::erase_if(chat.participants, [&](const Participant& p) { return p.user_id == user_id; });
    const bool has_admin = std::any_of(chat.participants.begin(), chat.participants.end(),
                                       [](const Participant& p) { return p.role == Role::admin; });
    if (has_admin || chat.participants.empty()) return;
    auto eldest = std::min_element(chat.participants.begin(), chat.participants.end(),
                                   [](const Participant& a, const Participant& b) {
                                       return a.joined_at < b.joined_at;
                                   });
    eldest->role = Role::admin;
}

Chat new_direct_chat(std::string id, const std::string& opener, const std::string& other, TimeMs now) {
    return Chat{std::move(id), ChatType::direct, "", std::nullopt, now, now, 0,
                {{opener, Role::member, 1, now, true}, {other, Role::member, 1, now, false}}};
}

bool is_request_for(const Chat& chat, std::string_view user_id) {
    if (chat.type != ChatType::direct) return false;
    const auto* p = chat.participant(user_id);
    return p && !p->took_part;
}

bool take_part(Chat& chat, std::string_view user_id) {
    if (!is_request_for(chat, user_id)) return false;
    for (auto& p : chat.participants)
        if (p.user_id == user_id) p.took_part = true;
    return true;
}

bool makes_contacts(const Chat& chat) {
    return chat.type == ChatType::direct && chat.participants.size() == 2 &&
           std::all_of(chat.participants.begin(), chat.participants.end(),
                       [](const Participant& p) { return p.took_part && !p.blocks_other; });
}

std::vector<std::string> activity_audience(const Chat& chat, std::string_view user_id) {
    if (is_request_for(chat, user_id)) return {};
    return reachable_from(chat, user_id, chat.member_ids(user_id));
}

bool blocked_between(const Chat& chat, std::string_view a, std::string_view b) {
    if (chat.type != ChatType::direct || a == b) return false;
    const auto* one = chat.participant(a);
    const auto* other = chat.participant(b);
    return one && other && (one->blocks_other || other->blocks_other);
}

std::vector<std::string> reachable_from(const Chat& chat, std::string_view actor, std::vector<std::string> to) {
    std::erase_if(to, [&](const std::string& id) { return blocked_between(chat, actor, id); });
    return to;
}

std::optional<std::string> blocker_of(const Chat& chat, std::string_view sender) {
    if (chat.type != ChatType::direct) return std::nullopt;
    for (const auto& p : chat.participants)
        if (p.user_id != sender && p.blocks_other) return p.user_id;
    return std::nullopt;
}

bool is_request_from_blocked(const Chat& chat, std::string_view user_id) {
    const auto* me = chat.participant(user_id);
    return is_request_for(chat, user_id) && me->blocks_other;
}

Status check_not_blocking(const Chat& chat, std::string_view user_id) {
    const auto* me = chat.participant(user_id);
    if (chat.type == ChatType::direct && me && me->blocks_other)
        return Error::forbidden("blocked", "you blocked this user: unblock them first");
    return Ok{};
}

}  // namespace flow
