#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/message.hpp"

namespace flow {

enum class ChatType { direct, group };
enum class Role { admin, member };

std::string_view to_string(ChatType type);
std::string_view to_string(Role role);

struct Participant {
    std::string user_id;
    Role role = Role::member;
    Seq joined_seq = 1;  // the first message this member may see
    TimeMs joined_at = 0;
    // Whether the member took part in the chat: opened it, sent a message in it or
    // accepted it. Only direct chats use it (see "Contacts and message requests" below).
    bool took_part = true;
    // Whether the member blocked the other member of a direct chat (see "Blocking" below).
    bool blocks_other = false;
};

// A conversation: a direct chat between two users, or a named group with admins.
struct Chat {
    std::string id;
    ChatType type = ChatType::direct;
    std::string name;  // groups only
    std::optional<std::string> image_id;
    TimeMs created_at = 0;
    TimeMs active_at = 0;  // the newest message's time, or creation: lists sort by it
    Seq last_seq = 0;      // the newest message's seq; 0 when there is none
    std::vector<Participant> participants;
    // How long its messages live, in seconds: 0 (off) or one of kDisappearingPeriods.
    std::int64_t disappearing_seconds = 0;
    // The same in ms as applied to new messages: disappearing_seconds * 1000, unless
    // flowd runs with a shorter lifetime for tests (--disappearing-override-ms).
    TimeMs disappearing_ms = 0;

    const Participant* participant(std::string_view user_id) const;
    // The ids of the members, less `except` when given.
    std::vector<std::string> member_ids(std::string_view except = {}) const;
    // The ids of the members who may see the message at `seq`: those who joined by then.
    std::vector<std::string> members_seeing(Seq seq) const;
};

// A chat as one participant sees it in a list.
struct ChatView {
    Chat chat;
    std::optional<Message> last_message;
    std::int64_t unread_count = 0;
    bool request = false;  // a message request for this participant (is_request_for)
    std::optional<TimeMs> muted_until;  // for this participant: see kMutedForever
    bool pinned = false;    // for this participant: listed first
    bool archived = false;  // for this participant: left out of the list unless asked for
};

// A member's own arrangement of a chat in their list; a field left unset stays as it is.
struct ChatSettingsChange {
    std::optional<bool> pinned;
    std::optional<bool> archived;
};

// How many chats one person may pin.
inline constexpr std::int64_t kMaxPinnedChats = 5;

// A chat's mute that never ends, as muted_until says it (a time otherwise).
inline constexpr TimeMs kMutedForever = -1;

// Whether a chat muted until `muted_until` is muted at `now`.
inline bool is_muted(const std::optional<TimeMs>& muted_until, TimeMs now) {
    return muted_until && (*muted_until == kMutedForever || *muted_until > now);
}

// Disappearing messages: the periods a chat may have besides 0 (off): a day, a week, 90 days.
inline constexpr std::int64_t kDisappearingPeriods[] = {86400, 604800, 7776000};

// Whether `seconds` is 0 or one of kDisappearingPeriods (`invalid_period` otherwise).
Status validate_disappearing_seconds(std::int64_t seconds);
// Whether `user_id` may change the chat's disappearing messages: any member of a direct
// chat, the admins of a group (forbidden `not_admin`).
Status check_can_set_disappearing(const Chat& chat, std::string_view user_id);
// The text of the system message recording the change to `seconds`, e.g. "turned on
// disappearing messages: 1 day", or "turned off disappearing messages".
std::string disappearing_notice(std::int64_t seconds);

inline constexpr std::size_t kMaxGroupNameLength = 100;
inline constexpr std::size_t kMaxGroupSize = 1024;

// A group name is 1 to 100 characters and not blank.
Status validate_group_name(std::string_view name);

// Whether a message may mention these users: members of the chat only (`invalid_mention`).
Status check_mentions(const Chat& chat, const std::vector<std::string>& user_ids);

// Whether `user_id` may change the group (rename, add members): its admins may.
Status check_is_group_admin(const Chat& chat, std::string_view user_id);

// Whether `actor` may remove `target` from the chat: admins may remove anyone, anyone may
// leave; direct chats have no members to remove.
Status check_can_remove(const Chat& chat, std::string_view actor, std::string_view target);

// After `user_id` leaves: when no admin is left, the longest-standing member becomes one,
// so a group is never without someone who can manage it.
void remove_participant(Chat& chat, std::string_view user_id);

// Contacts and message requests (API.md). Two users are contacts when they share a
// direct chat that both took part in: the one who opened it did by opening it, the other
// takes part by sending a message in it or accepting it. Until then the chat is a message
// request for the other, and the two are not contacts: they see none of each other's
// stories, presence or last seen, and the recipient's typing and read receipts do not
// reach the opener. A group makes no contacts. The SQL stores ask the same question of
// their tables (ChatStore::contacts_of).

// A new direct chat that `opener` opens with `other`: a message request for `other`.
Chat new_direct_chat(std::string id, const std::string& opener, const std::string& other, TimeMs now);

// Whether the chat is a message request for `user_id`: a direct chat they are in and have
// not taken part in.
bool is_request_for(const Chat& chat, std::string_view user_id);

// Records that `user_id` took part (sent a message or accepted). Returns whether the chat
// was a request for them until now.
bool take_part(Chat& chat, std::string_view user_id);

// Whether the chat makes its two members contacts: a direct chat both took part in, while
// neither blocks the other (a block ends being contacts: no stories, presence or last seen).
bool makes_contacts(const Chat& chat);

// Who hears of `user_id`'s typing and read marks in the chat: the other members, unless
// the chat is a message request for `user_id` (then nobody), or a block stands between them.
std::vector<std::string> activity_audience(const Chat& chat, std::string_view user_id);

// Blocking (API.md "Blocking, reports and privacy") is silent, and acts in direct chats
// alone (in groups everything flows). When A blocks B, what B sends is stored for B (so
// that B sees it sent) but hidden from A as it is stored, and no event of B's reaches A:
// no message, edit, reaction, typing or receipt. A's receipts and typing stop reaching B
// too, as a delivered mark would tell B that the block is not there; and A sends nothing to
// B without unblocking first (check_not_blocking), as in WhatsApp.

// Whether `a` and `b` are the two members of a direct chat and one of them blocked the other.
bool blocked_between(const Chat& chat, std::string_view a, std::string_view b);
// `to` less the members a block cuts off from `actor`.
std::vector<std::string> reachable_from(const Chat& chat, std::string_view actor, std::vector<std::string> to);
// The member of a direct chat who blocked `sender`: the one from whom `sender`'s messages
// are hidden.
std::optional<std::string> blocker_of(const Chat& chat, std::string_view sender);
// Whether the chat is a message request for `user_id` from someone they blocked: left out
// of their list of chats, as it holds nothing of the blocked user's for them.
bool is_request_from_blocked(const Chat& chat, std::string_view user_id);
// A member who blocked the other cannot send to or call them: `blocked` (forbidden).
Status check_not_blocking(const Chat& chat, std::string_view user_id);

}  // namespace flow
