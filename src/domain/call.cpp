#include "domain/call.hpp"

#include <algorithm>
#include <array>

namespace flow {

namespace {

constexpr std::array<std::string_view, 2> kTypeNames = {"audio", "video"};
constexpr std::array<std::string_view, 7> kStatusNames = {"ringing", "ongoing", "ended", "rejected",
                                                          "missed",  "busy",    "cancelled"};
constexpr std::array<std::string_view, 5> kStateNames = {"ringing", "joined", "declined", "left", "missed"};

template <class Enum, std::size_t N>
std::optional<Enum> from_name(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return static_cast<Enum>(i);
    return std::nullopt;
}

std::size_t count_in(const Call& call, CallerState state) {
    return std::count_if(call.participants.begin(), call.participants.end(),
                         [state](const CallParticipant& p) { return p.state == state; });
}

void finish(Call& call, CallStatus status, TimeMs now) {
    call.status = status;
    call.ended_at = now;
    call.ring_until.reset();
    for (auto& p : call.participants) {
        if (p.state == CallerState::ringing) p.state = CallerState::missed;
        if (p.state == CallerState::joined) p.state = CallerState::left;
    }
}

// The status that follows from who is joined and who still rings, after a change; when
// the ringing ends with no one answering, `unanswered` says how (rejected or missed).
void settle(Call& call, CallStatus unanswered, TimeMs now) {
    const auto joined = count_in(call, CallerState::joined);
    const auto ringing = count_in(call, CallerState::ringing);
    if (ringing == 0) call.ring_until.reset();
    if (call.status == CallStatus::ringing) {
        if (joined >= 2) call.status = CallStatus::ongoing;
        else if (joined == 0) finish(call, CallStatus::cancelled, now);
        else if (ringing == 0) finish(call, unanswered, now);
    } else if (call.status == CallStatus::ongoing && joined < 2) {
        finish(call, CallStatus::ended, now);
    }
}

Status still_live(const Call& call) {
    if (call.over()) return Error::conflict("call_over", "the call is over");
    return Ok{};
}

Error not_a_participant() { return Error::not_found("no such call"); }

}  // namespace

std::string_view to_string(CallType type) { return kTypeNames[static_cast<std::size_t>(type)]; }
std::string_view to_string(CallStatus status) { return kStatusNames[static_cast<std::size_t>(status)]; }
std::string_view to_string(CallerState state) { return kStateNames[static_cast<std::size_t>(state)]; }
std::optional<CallType> call_type_from(std::string_view name) { return from_name<CallType>(kTypeNames, name); }
std::optional<CallStatus> call_status_from(std::string_view name) {
    return from_name<CallStatus>(kStatusNames, name);
}
std::optional<CallerState> caller_state_from(std::string_view name) {
    return from_name<CallerState>(kStateNames, name);
}

const CallParticipant* Call::participant(std::string_view user_id) const {
    for (const auto& p : participants)
        if (p.user_id == user_id) return &p;
    return nullptr;
}

CallParticipant* Call::participant(std::string_view user_id) {
    return const_cast<CallParticipant*>(std::as_const(*this).participant(user_id));
}

std::vector<std::string> Call::participant_ids() const {
    std::vector<std::string> ids;
    for (const auto& p : participants)
        if (!p.withheld) ids.push_back(p.user_id);
    return ids;
}

long long Call::duration_s() const {
    if (!answered_at || !ended_at) return 0;
    return (*ended_at - *answered_at) / 1000;
}

Call start_call(std::string id, CallType type, std::string chat_id, std::string caller_id,
                std::string session_id, std::optional<std::string> callee_id,
                const std::vector<std::string>& member_ids, TimeMs now, TimeMs ring_ms) {
    Call call{std::move(id), type, std::move(chat_id), caller_id, std::move(callee_id), {},
              CallStatus::ringing, now, std::nullopt, std::nullopt, now + ring_ms};
    call.participants.push_back({caller_id, CallerState::joined, std::move(session_id)});
    for (const auto& member : member_ids)
        if (member != caller_id) call.participants.push_back({member, CallerState::ringing, {}});
    return call;
}

void mark_busy(Call& call, TimeMs now) { finish(call, CallStatus::busy, now); }

Status accept_call(Call& call, std::string_view user_id, std::string_view session_id, TimeMs now) {
    auto* me = call.participant(user_id);
    if (!me) return not_a_participant();
    if (auto live = still_live(call); !live) return live;
    if (me->state == CallerState::joined) return Error::conflict("already_joined", "already in this call");
    me->state = CallerState::joined;
    me->session_id = session_id;
    if (!call.answered_at) call.answered_at = now;
    settle(call, CallStatus::rejected, now);
    return Ok{};
}

Status reject_call(Call& call, std::string_view user_id, TimeMs now) {
    auto* me = call.participant(user_id);
    if (!me) return not_a_participant();
    if (auto live = still_live(call); !live) return live;
    if (me->state != CallerState::ringing) return Error::conflict("not_ringing", "this call is not ringing for you");
    me->state = CallerState::declined;
    settle(call, CallStatus::rejected, now);
    return Ok{};
}

Status end_call(Call& call, std::string_view user_id, TimeMs now) {
    auto* me = call.participant(user_id);
    if (!me) return not_a_participant();
    if (auto live = still_live(call); !live) return live;
    if (me->state == CallerState::ringing) return reject_call(call, user_id, now);
    if (me->state != CallerState::joined) return Error::conflict("not_in_call", "you are not in this call");
    me->state = CallerState::left;
    settle(call, CallStatus::rejected, now);
    return Ok{};
}

Status ring_out(Call& call, TimeMs now) {
    if (call.over() || !call.ring_until || *call.ring_until > now)
        return Error::conflict("not_ringing", "the call is not ringing out");
    for (auto& p : call.participants)
        if (p.state == CallerState::ringing) p.state = CallerState::missed;
    settle(call, CallStatus::missed, now);
    return Ok{};
}

Status abandon_call(Call& call, const std::vector<std::string>& absent, TimeMs now, TimeMs max_ms) {
    if (call.status != CallStatus::ongoing) return Error::conflict("call_over", "the call is not ongoing");
    if (call.answered_at && *call.answered_at + max_ms <= now) {
        finish(call, CallStatus::ended, now);
        return Ok{};
    }
    bool changed = false;
    for (const auto& user_id : absent) {
        auto* p = call.participant(user_id);
        if (!p || p->state != CallerState::joined) continue;
        p->state = CallerState::left;
        changed = true;
    }
    if (!changed) return Error::conflict("not_abandoned", "everyone in the call is still there");
    settle(call, CallStatus::rejected, now);
    return Ok{};
}

Result<const CallParticipant*> signal_target(const Call& call, std::string_view from_user,
                                             const std::optional<std::string>& to) {
    const auto* from = call.participant(from_user);
    if (!from) return not_a_participant();
    if (auto live = still_live(call); !live) return live.error();
    if (from->state != CallerState::joined) return Error::conflict("not_in_call", "join the call to signal");
    const CallParticipant* target = nullptr;
    if (call.callee_id) {
        target = call.participant(from_user == call.caller_id ? *call.callee_id : call.caller_id);
        if (to && *to != target->user_id)
            return Error::invalid("invalid_field", "to must be the other party of the call");
    } else {
        if (!to) return Error::invalid("missing_field", "a group call's signal needs `to`");
        target = call.participant(*to);
        if (!target || target == from)
            return Error::invalid("invalid_field", "to must be another participant of the call");
    }
    if (target->state != CallerState::joined && target->state != CallerState::ringing)
        return Error::conflict("not_in_call", "that participant is not in the call");
    return target;
}

}  // namespace flow
