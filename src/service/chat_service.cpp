#include "service/chat_service.hpp"

#include <algorithm>
#include <set>

#include "common/ids.hpp"

namespace flow {
namespace {

// The chat alone, as one who is not (or not yet) a member sees it: no last message, no unread.
ChatView bare_view(const Chat& chat) {
    ChatView view;
    view.chat = chat;
    return view;
}

}  // namespace

Status ChatService::check_users_exist(const std::vector<std::string>& user_ids) {
    for (const auto& id : user_ids)
        if (auto user = users_.find(id); !user || is_deleted(*user))
            return Error::invalid("unknown_user", "no user has the id " + id.substr(0, 64));
    return Ok{};
}

Result<Chat> ChatService::chat_of_member(const std::string& user_id, const std::string& chat_id) {
    auto chat = chats_.find_chat(chat_id);
    if (!chat || !chat->participant(user_id)) return Error::not_found("no such chat");
    return std::move(*chat);
}

Result<ChatCreated> ChatService::create_direct(const Caller& caller, const std::string& other) {
    if (other == caller.user_id)
        return Error::invalid("self_chat", "a direct chat needs another user");
    if (auto user = users_.find(other); !user || is_deleted(*user)) return Error::not_found("no such user");
    const TimeMs now = clock_.now_ms();
    auto [chat, created] = chats_.find_or_create_direct(new_direct_chat(new_id(now), caller.user_id, other, now));
    auto view = chats_.view_chat(chat, caller.user_id);
    if (created) {
        // Each sees the chat as theirs: a message request for the other.
        bus_.publish({{caller.user_id}, "", event::ChatNew{view}, ""});
        if (!blocked_between(chat, caller.user_id, other))
            bus_.publish({{other}, "", event::ChatNew{chats_.view_chat(chat, other)}, ""});
    }
    return ChatCreated{std::move(view), created};
}

Result<ChatCreated> ChatService::create_group(const Caller& caller, const std::string& name,
                                              const std::vector<std::string>& user_ids) {
    if (auto valid = validate_group_name(name); !valid) return std::move(valid).error();
    std::set<std::string> others(user_ids.begin(), user_ids.end());
    others.erase(caller.user_id);
    if (others.size() + 1 > kMaxGroupSize)
        return Error::invalid("too_many_participants", "a group has at most 1024 members");
    const std::vector<std::string> other_ids(others.begin(), others.end());
    if (auto exist = check_users_exist(other_ids); !exist) return std::move(exist).error();
    if (auto allowed = privacy_.check_may_add_to_group(caller.user_id, other_ids); !allowed)
        return std::move(allowed).error();

    const TimeMs now = clock_.now_ms();
    Chat chat{new_id(now), ChatType::group, name, std::nullopt, now, now, 0, {}};
    chat.participants.push_back({caller.user_id, Role::admin, 1, now});
    for (const auto& id : other_ids) chat.participants.push_back({id, Role::member, 1, now});
    chats_.create_group(chat);
    ChatView view{chat, std::nullopt, 0, false, std::nullopt};
    bus_.publish({chat.member_ids(), "", event::ChatNew{view}});
    return ChatCreated{std::move(view), true};
}

std::vector<ChatView> ChatService::list(const Caller& caller, bool with_archived) {
    return chats_.list_chats(caller.user_id, with_archived);
}

Result<ChatView> ChatService::get(const Caller& caller, const std::string& chat_id) {
    auto chat = chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    return chats_.view_chat(*chat, caller.user_id);
}

Status ChatService::accept(const Caller& caller, const std::string& chat_id) {
    bool accepted = false;
    auto chat = chats_.modify_chat(chat_id, [&](Chat& c) -> Status {
        if (!c.participant(caller.user_id)) return Error::not_found("no such chat");
        accepted = take_part(c, caller.user_id);
        return Ok{};
    });
    if (!chat) return std::move(chat).error();
    if (accepted) announce_request_ended(*chat, caller.user_id);
    return Ok{};
}

void ChatService::leave_all(const std::string& user_id) {
    for (const auto& view : chats_.list_chats(user_id, true)) {
        auto chat = chats_.modify_chat(view.chat.id, [&](Chat& c) -> Status {
            flow::remove_participant(c, user_id);
            return Ok{};
        });
        if (chat) announce_update(*chat);
    }
}

Status ChatService::mute(const Caller& caller, const std::string& chat_id, std::optional<TimeMs> until) {
    if (until && *until < 0 && *until != kMutedForever)
        return Error::invalid("invalid_field", "until is a time in ms, -1 for ever, or null");
    if (!chats_.set_muted_until(chat_id, caller.user_id, until)) return Error::not_found("no such chat");
    return Ok{};
}

Status ChatService::change_settings(const Caller& caller, const std::string& chat_id,
                                    const ChatSettingsChange& change) {
    return chats_.change_settings(chat_id, caller.user_id, change, clock_.now_ms());
}

void ChatService::announce_request_ended(const Chat& chat, const std::string& user_id) {
    // The user's other devices stop showing it as a request. The opener is not told.
    bus_.publish({{user_id}, "", event::ChatUpdated{chat, false}, ""});
}

void ChatService::announce_update(const Chat& chat, std::vector<std::string> also_to) {
    auto to = chat.member_ids();
    to.insert(to.end(), also_to.begin(), also_to.end());
    bus_.publish({std::move(to), "", event::ChatUpdated{chat}});
}

Result<ChatView> ChatService::add_participants(const Caller& caller, const std::string& chat_id,
                                               const std::vector<std::string>& user_ids) {
    // Cheapest checks first, so that a long list costs a stranger nothing: who asks, then
    // how many, and only then a lookup per new member.
    auto current = chat_of_member(caller.user_id, chat_id);
    if (!current) return std::move(current).error();
    if (auto admin = check_is_group_admin(*current, caller.user_id); !admin) return std::move(admin).error();
    std::set<std::string> wanted(user_ids.begin(), user_ids.end());
    // (More distinct ids than a group holds are too many whoever is in it already.)
    if (wanted.size() > kMaxGroupSize)
        return Error::invalid("too_many_participants", "a group has at most 1024 members");
    std::erase_if(wanted, [&](const std::string& id) { return current->participant(id) != nullptr; });
    if (current->participants.size() + wanted.size() > kMaxGroupSize)
        return Error::invalid("too_many_participants", "a group has at most 1024 members");
    const std::vector<std::string> new_ids(wanted.begin(), wanted.end());
    if (auto exist = check_users_exist(new_ids); !exist) return std::move(exist).error();
    if (auto allowed = privacy_.check_may_add_to_group(caller.user_id, new_ids); !allowed)
        return std::move(allowed).error();

    std::vector<std::string> added;
    const TimeMs now = clock_.now_ms();
    // Checked again on the chat as stored: it may have changed since it was read.
    auto chat = chats_.modify_chat(chat_id, [&](Chat& c) -> Status {
        if (!c.participant(caller.user_id)) return Error::not_found("no such chat");
        if (auto admin = check_is_group_admin(c, caller.user_id); !admin) return admin;
        for (const auto& id : new_ids) {
            if (c.participant(id)) continue;
            // A new member sees the chat from the next message on.
            c.participants.push_back({id, Role::member, c.last_seq + 1, now});
            added.push_back(id);
        }
        if (c.participants.size() > kMaxGroupSize)
            return Error::invalid("too_many_participants", "a group has at most 1024 members");
        return Ok{};
    });
    if (!chat) return std::move(chat).error();
    if (!added.empty()) {
        announce_update(*chat);
        bus_.publish({added, "", event::ChatNew{bare_view(*chat)}});
    }
    return chats_.view_chat(*chat, caller.user_id);
}

Result<ChatView> ChatService::remove_participant(const Caller& caller, const std::string& chat_id,
                                                 const std::string& user_id) {
    auto chat = chats_.modify_chat(chat_id, [&](Chat& c) -> Status {
        if (!c.participant(caller.user_id)) return Error::not_found("no such chat");
        if (auto allowed = check_can_remove(c, caller.user_id, user_id); !allowed) return allowed;
        flow::remove_participant(c, user_id);
        return Ok{};
    });
    if (!chat) return std::move(chat).error();
    announce_update(*chat, {user_id});
    // One who left sees the chat no more; their answer is the chat as they left it.
    if (!chat->participant(caller.user_id)) return bare_view(*chat);
    return chats_.view_chat(*chat, caller.user_id);
}

Result<ChatView> ChatService::update(const Caller& caller, const std::string& chat_id,
                                     const std::optional<std::string>& name,
                                     const std::optional<std::optional<std::string>>& image_id) {
    if (name)
        if (auto valid = validate_group_name(*name); !valid) return std::move(valid).error();
    if (image_id && *image_id)
        if (auto image = media_.attachable(caller.user_id, **image_id, "image"); !image)
            return std::move(image).error();
    auto chat = chats_.modify_chat(chat_id, [&](Chat& c) -> Status {
        if (!c.participant(caller.user_id)) return Error::not_found("no such chat");
        if (auto admin = check_is_group_admin(c, caller.user_id); !admin) return admin;
        if (name) c.name = *name;
        if (image_id) c.image_id = *image_id;
        return Ok{};
    });
    if (!chat) return std::move(chat).error();
    announce_update(*chat);
    return chats_.view_chat(*chat, caller.user_id);
}

}  // namespace flow
