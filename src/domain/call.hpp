#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace flow {

enum class CallType { audio, video };
enum class CallStatus { ringing, ongoing, ended, rejected, missed, busy, cancelled };
enum class CallerState { ringing, joined, declined, left, missed };

std::string_view to_string(CallType type);
std::string_view to_string(CallStatus status);
std::string_view to_string(CallerState state);
std::optional<CallType> call_type_from(std::string_view name);
std::optional<CallStatus> call_status_from(std::string_view name);
std::optional<CallerState> caller_state_from(std::string_view name);

// One person in a call. `session_id` is the device that joined (the caller's is the one
// that called): signals to a joined participant go to that device alone.
struct CallParticipant {
    std::string user_id;
    CallerState state = CallerState::ringing;
    std::string session_id;
    // A callee who blocked the caller: the call rings out for the caller as any other, and
    // the callee is told nothing of it (no event, push, signal or history).
    bool withheld = false;
};

// An audio or video call in a chat: 1:1 (callee_id set) or a group mesh (callee_id
// null). The caller is the first participant.
struct Call {
    std::string id;
    CallType type = CallType::audio;
    std::string chat_id;
    std::string caller_id;
    std::optional<std::string> callee_id;
    std::vector<CallParticipant> participants;
    CallStatus status = CallStatus::ringing;
    TimeMs created_at = 0;
    std::optional<TimeMs> answered_at;  // the first accept
    std::optional<TimeMs> ended_at;
    std::optional<TimeMs> ring_until;  // while someone is still ringing

    bool over() const { return status != CallStatus::ringing && status != CallStatus::ongoing; }
    const CallParticipant* participant(std::string_view user_id) const;
    CallParticipant* participant(std::string_view user_id);
    // The participants told of the call: all but a withheld one.
    std::vector<std::string> participant_ids() const;
    // Whole seconds from the first accept to the end; 0 until then.
    long long duration_s() const;
};

// Whom to call: one user (`callee_id`) or every member of a group chat (`chat_id`).
struct NewCall {
    CallType type = CallType::audio;
    std::optional<std::string> callee_id;
    std::optional<std::string> chat_id;
};

// A WebRTC message for another participant: kind "offer", "answer" or "ice", and its
// payload as JSON text.
struct CallSignalRequest {
    std::string kind;
    std::string payload_json;
    std::optional<std::string> to;
};

inline constexpr std::size_t kMaxSignalPayloadBytes = 64 * 1024;

// A group call is a mesh of peer connections: every pair negotiates its own.
inline constexpr std::size_t kMaxCallParticipants = 8;

// A new call from `caller_id` (on device `session_id`) to the other `member_ids` of the
// chat, ringing them until now + ring_ms. 1:1 when `callee_id` is given.
Call start_call(std::string id, CallType type, std::string chat_id, std::string caller_id,
                std::string session_id, std::optional<std::string> callee_id,
                const std::vector<std::string>& member_ids, TimeMs now, TimeMs ring_ms);

// The transitions. Each checks that the participant may make it (409 `call_over` once the
// call is over, `already_joined`, `not_ringing`, `not_in_call`), changes the call and
// settles its status: a ringing call becomes ongoing when two have joined, cancelled when
// no one who joined is left, rejected or missed when no one is left ringing; an ongoing
// call ends when fewer than two remain joined. When a call is over, whoever still rings
// has missed it and whoever was joined has left.

// The 1:1 callee is already in a call: the call is over at once, as busy.
void mark_busy(Call& call, TimeMs now);
// Joins `user_id` from device `session_id`: the callee answers, or a group member joins
// (also later, or again after declining or leaving, while the call lasts).
Status accept_call(Call& call, std::string_view user_id, std::string_view session_id, TimeMs now);
// A ringing participant declines.
Status reject_call(Call& call, std::string_view user_id, TimeMs now);
// A joined participant leaves (ends the call when fewer than two remain); a ringing one
// declines.
Status end_call(Call& call, std::string_view user_id, TimeMs now);
// The ring time ran out: whoever still rings has missed the call. Fails (no change)
// unless the call has someone ringing and ring_until <= now.
Status ring_out(Call& call, TimeMs now);

// An ongoing call nobody tends any more. Past `max_ms` from its first accept it ends;
// before that, each joined participant named in `absent` (no live socket for the grace
// period) leaves, which ends it when fewer than two remain (always, for a 1:1 call).
// Fails (no change) when the call is not ongoing or neither applies, so that the same
// check on a second node changes nothing and announces nothing.
Status abandon_call(Call& call, const std::vector<std::string>& absent, TimeMs now, TimeMs max_ms);

// To whom a signal from `from_user` goes: the other party of a 1:1 call (`to` may name
// it), or the participant `to` of a group call. Only a joined participant signals, and
// only to one who is joined or ringing, while the call lasts.
Result<const CallParticipant*> signal_target(const Call& call, std::string_view from_user,
                                             const std::optional<std::string>& to);

}  // namespace flow
