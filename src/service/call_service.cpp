#include "service/call_service.hpp"

#include <algorithm>

#include "common/ids.hpp"

namespace flow {

namespace {

Error no_such_call() { return Error::not_found("no such call"); }

// A direct call as a block in its chat has it: refused to a caller who blocks the callee,
// withheld from a callee who blocks the caller (see CallParticipant::withheld).
Result<Call> with_blocks(const Chat& chat, Call call) {
    if (auto allowed = check_not_blocking(chat, call.caller_id); !allowed) return std::move(allowed).error();
    if (const auto blocker = blocker_of(chat, call.caller_id))
        if (auto* callee = call.participant(*blocker)) callee->withheld = true;
    return call;
}

// Whether `user_id` may act in the call: a withheld callee is not in it for themself.
bool in_call(const Call& call, const std::string& user_id) {
    const auto* me = call.participant(user_id);
    return me && !me->withheld;
}

}  // namespace

Result<Call> CallService::new_call(const Caller& caller, const NewCall& request) {
    const TimeMs now = clock_.now_ms();
    if (request.callee_id && request.chat_id)
        return Error::invalid("invalid_field", "give callee_id or chat_id, not both");
    if (request.callee_id) {
        if (*request.callee_id == caller.user_id) return Error::invalid("cannot_call_self", "you cannot call yourself");
        auto direct = chats_.create_direct(caller, *request.callee_id);
        if (!direct) return std::move(direct).error();
        const auto& chat = direct->chat.chat;
        return with_blocks(chat, start_call(new_id(now), request.type, chat.id, caller.user_id, caller.session_id,
                                            request.callee_id, chat.member_ids(), now, times_.ring_ms));
    }
    if (!request.chat_id) return Error::invalid("missing_field", "callee_id or chat_id is required");
    auto chat = chats_.chat_of_member(caller.user_id, *request.chat_id);
    if (!chat) return std::move(chat).error();
    const auto members = chat->member_ids();
    std::optional<std::string> callee;
    if (chat->type == ChatType::direct) {
        const auto others = chat->member_ids(caller.user_id);
        if (others.empty()) return Error::invalid("no_one_to_call", "no one else is in this chat");
        callee = others.front();
    } else if (members.size() > kMaxCallParticipants) {
        return Error::invalid("too_many_participants", "a group call has at most 8 participants");
    } else if (members.size() < 2) {
        return Error::invalid("no_one_to_call", "no one else is in this group");
    }
    return with_blocks(*chat, start_call(new_id(now), request.type, chat->id, caller.user_id, caller.session_id,
                                         std::move(callee), members, now, times_.ring_ms));
}

Result<Call> CallService::make_call(const Caller& caller, const NewCall& request) {
    auto proposed = new_call(caller, request);
    if (!proposed) return proposed;
    const TimeMs now = proposed->created_at;
    auto call = calls_.create(std::move(*proposed), [now](Call& c) { mark_busy(c, now); });
    if (call.status == CallStatus::ringing) {
        std::vector<std::string> rung;
        for (const auto& p : call.participants)
            if (p.state == CallerState::ringing && !p.withheld) rung.push_back(p.user_id);
        push_.call_ringing(call, rung);
        bus_.publish({std::move(rung), "", event::CallIncoming{call}});
        // The caller's other devices stay in step.
        bus_.publish({{caller.user_id}, caller.session_id, event::CallUpdated{call}});
    } else {
        announce(call, caller.session_id);
    }
    return call;
}

Result<Call> CallService::change(const Caller& caller, const std::string& call_id,
                                 const std::function<Status(Call&, TimeMs)>& transition) {
    const TimeMs now = clock_.now_ms();
    auto call = calls_.modify(call_id, [&](Call& c) -> Status {
        if (!in_call(c, caller.user_id)) return no_such_call();
        return transition(c, now);
    });
    if (call) announce(*call, caller.session_id);
    return call;
}

Result<Call> CallService::accept(const Caller& caller, const std::string& call_id) {
    return change(caller, call_id,
                  [&](Call& call, TimeMs now) { return accept_call(call, caller.user_id, caller.session_id, now); });
}

Result<Call> CallService::reject(const Caller& caller, const std::string& call_id) {
    return change(caller, call_id, [&](Call& call, TimeMs now) { return reject_call(call, caller.user_id, now); });
}

Result<Call> CallService::end(const Caller& caller, const std::string& call_id) {
    return change(caller, call_id, [&](Call& call, TimeMs now) { return end_call(call, caller.user_id, now); });
}

Status CallService::signal(const Caller& caller, const std::string& call_id, const CallSignalRequest& request) {
    if (request.kind != "offer" && request.kind != "answer" && request.kind != "ice")
        return Error::invalid("invalid_field", "kind must be offer, answer or ice");
    if (auto allowed = limits_.take(Action::signal, caller.user_id); !allowed) return allowed;
    auto call = calls_.find(call_id);
    if (!call || !in_call(*call, caller.user_id)) return no_such_call();
    auto target = signal_target(*call, caller.user_id, request.to);
    if (!target) return std::move(target).error();
    const CallParticipant& to = **target;
    if (to.withheld) return Ok{};  // as if it went: the caller must not tell the difference
    Delivery delivery{{to.user_id}, "",
                      event::CallSignal{call_id, caller.user_id, request.kind, request.payload_json}};
    if (to.state == CallerState::joined) delivery.only_session = to.session_id;
    bus_.publish(std::move(delivery));
    return Ok{};
}

Result<Call> CallService::get(const Caller& caller, const std::string& call_id) {
    auto call = calls_.find(call_id);
    if (!call || !in_call(*call, caller.user_id)) return no_such_call();
    return std::move(*call);
}

CallPage CallService::history(const Caller& caller, const std::optional<std::string>& before, int limit) {
    CallPage page{calls_.history(caller.user_id, before, limit + 1), std::nullopt};
    if (page.items.size() > static_cast<std::size_t>(limit)) {
        page.items.resize(static_cast<std::size_t>(limit));
        page.next_before = page.items.back().id;
    }
    return page;
}

std::size_t CallService::ring_out_due() {
    const TimeMs now = clock_.now_ms();
    std::size_t count = 0;
    for (const auto& id : calls_.rung_out(now)) {
        auto call = calls_.modify(id, [now](Call& c) { return ring_out(c, now); });
        if (!call) continue;  // answered, ended or rung out elsewhere in the meantime
        announce(*call, "");
        ++count;
    }
    return count;
}

std::size_t CallService::end_abandoned() {
    const TimeMs now = clock_.now_ms();
    std::size_t count = 0;
    // Nothing answered within the grace period (nor the longest a call lasts) is due yet.
    for (const auto& id : calls_.ongoing(now - std::min(times_.grace_ms, times_.max_ms))) {
        const auto call = calls_.find(id);
        if (!call || call->status != CallStatus::ongoing || !call->answered_at) continue;
        std::vector<std::string> absent;
        for (const auto& p : call->participants) {
            if (p.state != CallerState::joined) continue;
            const auto since = presence_.offline_since(p.user_id);
            if (since && std::max(*since, *call->answered_at) + times_.grace_ms <= now) absent.push_back(p.user_id);
        }
        if (absent.empty() && *call->answered_at + times_.max_ms > now) continue;
        auto changed = calls_.modify(id, [&](Call& c) { return abandon_call(c, absent, now, times_.max_ms); });
        if (!changed) continue;  // ended, or someone left, elsewhere in the meantime
        announce(*changed, "");
        ++count;
    }
    return count;
}

void CallService::announce(const Call& call, const std::string& except_session) {
    bus_.publish({call.participant_ids(), except_session, event::CallUpdated{call}});
}

}  // namespace flow
