#include "storage/sql/sql_call_store.hpp"

namespace flow::sql {

namespace {

#define CALL_SELECT                                                                                    \
    "SELECT type, chat_id, caller_id, callee_id, status, created_at, answered_at, ended_at, ring_until " \
    "FROM calls WHERE id = ?"

// The call and its participants; `for_update` locks its row until the transaction ends,
// so changes to one call happen one at a time on every node.
std::optional<Call> load_call(Connection& db, const std::string& call_id, bool for_update = false) {
    auto stmt = db.prepare(for_update ? CALL_SELECT " FOR UPDATE" : CALL_SELECT);
    stmt.bind(1, call_id);
    if (!stmt.step()) return std::nullopt;
    Call call{call_id,
              call_type_from(stmt.text(0)).value_or(CallType::audio),
              stmt.text(1),
              stmt.text(2),
              stmt.optional_text(3),
              {},
              call_status_from(stmt.text(4)).value_or(CallStatus::ended),
              stmt.integer(5),
              stmt.optional_integer(6),
              stmt.optional_integer(7),
              stmt.optional_integer(8)};
    stmt.reset();
    auto people = db.prepare(
        "SELECT user_id, state, session_id, withheld FROM call_participants WHERE call_id = ? ORDER BY position");
    people.bind(1, call_id);
    while (people.step())
        call.participants.push_back({people.text(0), caller_state_from(people.text(1)).value_or(CallerState::left),
                                     people.text(2), people.integer(3) != 0});
    return call;
}

bool in_live_call(Connection& db, const std::string& user_id) {
    auto stmt = db.prepare(
        "SELECT 1 FROM call_participants WHERE user_id = ? AND state IN ('ringing', 'joined') AND withheld = 0 "
        "LIMIT 1");
    stmt.bind(1, user_id);
    return stmt.step();
}

void save_participant(Connection& db, const std::string& call_id, const CallParticipant& p) {
    db.prepare("UPDATE call_participants SET state = ?, session_id = ? WHERE call_id = ? AND user_id = ?")
        .bind(1, to_string(p.state))
        .bind(2, p.session_id)
        .bind(3, call_id)
        .bind(4, p.user_id)
        .run();
}

}  // namespace

Call SqlCallStore::create(Call call, const std::function<void(Call&)>& busy) {
    return db_.transaction([&](Connection& db) {
        if (call.callee_id) {
            // Locking the callee's row makes two calls to them, from any node, take turns.
            db.prepare("SELECT id FROM users WHERE id = ? FOR UPDATE").bind(1, *call.callee_id).run();
            const auto* callee = call.participant(*call.callee_id);
            if (callee && !callee->withheld && in_live_call(db, *call.callee_id)) busy(call);
        }
        db.prepare("INSERT INTO calls (id, type, chat_id, caller_id, callee_id, status, created_at, answered_at, "
                   "ended_at, ring_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, call.id)
            .bind(2, to_string(call.type))
            .bind(3, call.chat_id)
            .bind(4, call.caller_id)
            .bind(5, call.callee_id)
            .bind(6, to_string(call.status))
            .bind(7, call.created_at)
            .bind(8, call.answered_at)
            .bind(9, call.ended_at)
            .bind(10, call.ring_until)
            .run();
        std::int64_t position = 0;
        for (const auto& p : call.participants)
            db.prepare("INSERT INTO call_participants (call_id, user_id, state, session_id, position, withheld) "
                       "VALUES (?, ?, ?, ?, ?, ?)")
                .bind(1, call.id)
                .bind(2, p.user_id)
                .bind(3, to_string(p.state))
                .bind(4, p.session_id)
                .bind(5, position++)
                .bind(6, std::int64_t{p.withheld})
                .run();
        return call;
    });
}

std::optional<Call> SqlCallStore::find(const std::string& call_id) {
    return db_.with([&](Connection& db) { return load_call(db, call_id); });
}

Result<Call> SqlCallStore::modify(const std::string& call_id, const std::function<Status(Call&)>& change) {
    return db_.transaction([&](Connection& db) -> Result<Call> {
        auto call = load_call(db, call_id, true);
        if (!call) return Error::not_found("no such call");
        if (auto allowed = change(*call); !allowed) return std::move(allowed).error();
        db.prepare("UPDATE calls SET status = ?, answered_at = ?, ended_at = ?, ring_until = ? WHERE id = ?")
            .bind(1, to_string(call->status))
            .bind(2, call->answered_at)
            .bind(3, call->ended_at)
            .bind(4, call->ring_until)
            .bind(5, call_id)
            .run();
        for (const auto& p : call->participants) save_participant(db, call_id, p);
        return std::move(*call);
    });
}

std::vector<Call> SqlCallStore::history(const std::string& user_id, const std::optional<std::string>& before,
                                           int limit) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare(
            "SELECT call_id FROM call_participants WHERE user_id = ?1 AND withheld = 0 "
            "AND (CAST(?2 AS TEXT) IS NULL OR call_id < ?2) "
            "ORDER BY call_id DESC LIMIT ?3");
        stmt.bind(1, user_id).bind(2, before).bind(3, std::int64_t{limit});
        while (stmt.step()) ids.push_back(stmt.text(0));
        stmt.reset();
        std::vector<Call> calls;
        for (const auto& id : ids)
            if (auto call = load_call(db, id)) calls.push_back(std::move(*call));
        return calls;
    });
}

std::vector<std::string> SqlCallStore::rung_out(TimeMs now) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare("SELECT id FROM calls WHERE ring_until IS NOT NULL AND ring_until <= ? ORDER BY ring_until");
        stmt.bind(1, now);
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

std::vector<std::string> SqlCallStore::ongoing(TimeMs answered_by) {
    return db_.with([&](Connection& db) {
        std::vector<std::string> ids;
        auto stmt = db.prepare(
            "SELECT id FROM calls WHERE status = 'ongoing' AND answered_at <= ? ORDER BY answered_at");
        stmt.bind(1, answered_by);
        while (stmt.step()) ids.push_back(stmt.text(0));
        return ids;
    });
}

}  // namespace flow::sql
