#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "service/auth_service.hpp"
#include "service/media_service.hpp"
#include "service/privacy_service.hpp"
#include "bus/event_bus.hpp"
#include "storage/chat_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// A chat as created or found, and whether this call created it.
struct ChatCreated {
    ChatView chat;
    bool created = false;
};

// Direct and group chats: creating, listing, membership, renaming and accepting message
// requests (see "Contacts and message requests" in domain/chat.hpp). A chat the caller
// is not in is not_found, never forbidden, so existence is not leaked. Publishes
// chat:new and chat:updated. Blocking (storage): call it on the blocking pool.
class ChatService {
public:
    ChatService(ChatStore& chats, UserStore& users, MediaService& media, EventBus& bus, const Clock& clock,
                PrivacyService& privacy)
        : chats_(chats), users_(users), media_(media), bus_(bus), clock_(clock), privacy_(privacy) {}

    Result<ChatCreated> create_direct(const Caller& caller, const std::string& other_user_id);
    Result<ChatCreated> create_group(const Caller& caller, const std::string& name,
                                     const std::vector<std::string>& user_ids);
    // The caller's chats as list_chats orders them; archived ones only `with_archived`.
    std::vector<ChatView> list(const Caller& caller, bool with_archived);
    Result<ChatView> get(const Caller& caller, const std::string& chat_id);
    // Adds the distinct ids not yet in the group. Checked in this order, each before any
    // cost of the next: the caller is a member (not_found) and an admin (forbidden), the
    // group stays within 1024 members (`too_many_participants`), every id is a user
    // (`unknown_user`), whose privacy settings let the caller add them (`not_allowed`);
    // creating a group checks its members the same way.
    Result<ChatView> add_participants(const Caller& caller, const std::string& chat_id,
                                      const std::vector<std::string>& user_ids);
    Result<ChatView> remove_participant(const Caller& caller, const std::string& chat_id,
                                        const std::string& user_id);
    Result<ChatView> update(const Caller& caller, const std::string& chat_id,
                            const std::optional<std::string>& name,
                            const std::optional<std::optional<std::string>>& image_id);

    // Accepts a message request: the caller takes part in the direct chat, and the two
    // become contacts. Idempotent; nothing to do in a group or a chat that is no request
    // for the caller. not_found for a chat the caller is not in.
    Status accept(const Caller& caller, const std::string& chat_id);
    // Mutes the chat's pushes for the caller until then (kMutedForever, or nullopt to
    // unmute). not_found for a chat the caller is not in.
    Status mute(const Caller& caller, const std::string& chat_id, std::optional<TimeMs> until);
    // Pins or archives the chat (or undoes it) for the caller. not_found for a chat the
    // caller is not in, too_many_pinned past kMaxPinnedChats.
    Status change_settings(const Caller& caller, const std::string& chat_id, const ChatSettingsChange& change);
    // A deleted account leaves every chat, group or direct, as leaving a group does (an
    // admin handed on), and the others are told.
    void leave_all(const std::string& user_id);
    // Tells `user_id`'s devices that the chat is no longer a message request for them.
    void announce_request_ended(const Chat& chat, const std::string& user_id);

    // The chat, when `user_id` is in it; not_found otherwise.
    Result<Chat> chat_of_member(const std::string& user_id, const std::string& chat_id);

private:
    // Fails with `unknown_user` unless every id names a user.
    Status check_users_exist(const std::vector<std::string>& user_ids);
    void announce_update(const Chat& chat, std::vector<std::string> also_to = {});

    ChatStore& chats_;
    UserStore& users_;
    MediaService& media_;
    EventBus& bus_;
    const Clock& clock_;
    PrivacyService& privacy_;
};

}  // namespace flow
