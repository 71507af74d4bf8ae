#include "storage/sql/sql_sign_in_store.hpp"

#include <algorithm>

#include "storage/sql/sql_user_store.hpp"

namespace flow::sql {

namespace {

// The newest `limit` times after `since`, ascending.
std::vector<TimeMs> newest_since(Connection& db, const char* sql, const std::string& key, TimeMs since,
                                 std::size_t limit) {
    std::vector<TimeMs> times;
    auto stmt = db.prepare(sql);
    stmt.bind(1, key).bind(2, since).bind(3, static_cast<std::int64_t>(limit));
    while (stmt.step()) times.push_back(stmt.integer(0));
    std::reverse(times.begin(), times.end());
    return times;
}

}  // namespace

Status SqlSignInStore::start_challenge(const OtpChallenge& challenge, const std::string& address,
                                          SendHistory::Needed needed,
                                          const std::function<Status(const SendHistory&)>& allow) {
    return db_.transaction([&](Connection& db) -> Status {
        const TimeMs since = challenge.created_at - kHourMs;
        // Codes older than the longest window matter to no limit any more.
        db.prepare("DELETE FROM otp_challenges WHERE created_at < ? AND expires_at < ?")
            .bind(1, since)
            .bind(2, challenge.created_at)
            .run();
        SendHistory history{
            newest_since(db,
                         "SELECT created_at FROM otp_challenges WHERE phone = ? AND created_at > ? "
                         "ORDER BY created_at DESC LIMIT ?",
                         challenge.phone, since, needed.to_phone),
            newest_since(db,
                         "SELECT created_at FROM otp_challenges WHERE address = ? AND created_at > ? "
                         "ORDER BY created_at DESC LIMIT ?",
                         address, since, needed.from_address)};
        if (auto allowed = allow(history); !allowed) return allowed;
        db.prepare("INSERT INTO otp_challenges (id, phone, address, code_hash, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, challenge.id)
            .bind(2, challenge.phone)
            .bind(3, address)
            .bind_blob(4, challenge.code_hash)
            .bind(5, challenge.created_at)
            .bind(6, challenge.expires_at)
            .run();
        return Ok{};
    });
}

void SqlSignInStore::cancel_challenge(const std::string& challenge_id) {
    db_.with([&](Connection& db) {
        db.prepare("DELETE FROM otp_challenges WHERE id = ?").bind(1, challenge_id).run();
    });
}

std::optional<OtpChallenge> SqlSignInStore::latest_challenge(const std::string& phone) {
    return db_.with([&](Connection& db) -> std::optional<OtpChallenge> {
        auto stmt = db.prepare(
            "SELECT id, phone, code_hash, created_at, expires_at, attempts FROM otp_challenges "
            "WHERE phone = ? AND consumed_at IS NULL ORDER BY created_at DESC LIMIT 1");
        stmt.bind(1, phone);
        if (!stmt.step()) return std::nullopt;
        return OtpChallenge{stmt.text(0), stmt.text(1), stmt.blob(2), stmt.integer(3),
                            stmt.integer(4), static_cast<int>(stmt.integer(5))};
    });
}

bool SqlSignInStore::use_attempt(const std::string& challenge_id, int max_attempts) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("UPDATE otp_challenges SET attempts = attempts + 1 "
                               "WHERE id = ? AND attempts < ? AND consumed_at IS NULL");
        stmt.bind(1, challenge_id).bind(2, static_cast<std::int64_t>(max_attempts)).run();
        return stmt.changes() == 1;
    });
}

bool SqlSignInStore::banned(const std::string& phone) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT 1 FROM users WHERE phone = ? AND banned_at IS NOT NULL");
        stmt.bind(1, phone);
        return stmt.step();
    });
}

Result<SignedIn> SqlSignInStore::complete_sign_in(const OtpChallenge& challenge, const std::string& new_user_id,
                                                  Session session, const std::string& token_hash, TimeMs now) {
    return db_.transaction([&](Connection& db) -> Result<SignedIn> {
        // The user's row is locked before the ban is read: a ban (AdminStore::ban) takes
        // the same lock, so it either sees this session or is seen here.
        SignedIn result;
        auto stmt = db.prepare("SELECT id, phone, name, about, image_id, created_at, last_seen_at, banned_at "
                               "FROM users WHERE phone = ? FOR UPDATE");
        stmt.bind(1, challenge.phone);
        const bool found = stmt.step();
        if (found && stmt.optional_integer(7)) return banned_error();
        auto consume = db.prepare("UPDATE otp_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL");
        consume.bind(1, now).bind(2, challenge.id).run();
        if (consume.changes() != 1)
            return Error::unauthorized("otp_expired", "the code has been used; ask for a new one");
        consume.reset();

        if (found) {
            result.user = read_user(stmt);
        } else {
            result.user = User{new_user_id, challenge.phone, "", "", std::nullopt, now, std::nullopt};
            result.new_user = true;
            db.prepare("INSERT INTO users (id, phone, created_at) VALUES (?, ?, ?)")
                .bind(1, new_user_id)
                .bind(2, challenge.phone)
                .bind(3, now)
                .run();
        }
        stmt.reset();
        result.user.last_seen_at = now;
        db.prepare("UPDATE users SET last_seen_at = ? WHERE id = ?").bind(1, now).bind(2, result.user.id).run();

        session.user_id = result.user.id;
        db.prepare("INSERT INTO sessions (id, token_hash, user_id, device, created_at, platform, last_seen_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(1, session.id)
            .bind_blob(2, token_hash)
            .bind(3, session.user_id)
            .bind(4, session.device)
            .bind(5, session.created_at)
            .bind(6, to_string(session.platform))
            .bind(7, session.created_at)
            .run();
        session.last_seen_at = session.created_at;
        // A new device starts where the user's chats stand now: older history is for
        // GET /chats/{id}/messages, not for delivery.
        db.prepare("INSERT INTO device_cursors (session_id, chat_id, delivered_seq) "
                   "SELECT ?, c.id, c.last_seq FROM participants p JOIN chats c ON c.id = p.chat_id "
                   "WHERE p.user_id = ?")
            .bind(1, session.id)
            .bind(2, session.user_id)
            .run();
        result.session = std::move(session);
        return result;
    });
}

std::optional<Session> SqlSignInStore::find_session(const std::string& token_hash) {
    return db_.with([&](Connection& db) -> std::optional<Session> {
        auto stmt = db.prepare(
            "SELECT id, user_id, device, created_at, platform, last_seen_at FROM sessions WHERE token_hash = ?");
        stmt.bind_blob(1, token_hash);
        if (!stmt.step()) return std::nullopt;
        return Session{stmt.text(0), stmt.text(1), stmt.text(2), stmt.integer(3),
                       platform_from(stmt.text(4)).value_or(Platform::other), stmt.integer(5)};
    });
}

void SqlSignInStore::mark_session_seen(const std::string& session_id, TimeMs at) {
    db_.with([&](Connection& db) {
        db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")
            .bind(1, at)
            .bind(2, session_id)
            .bind(3, at)
            .run();
    });
}

void SqlSignInStore::delete_session(const std::string& session_id) {
    db_.with([&](Connection& db) {
        db.prepare("DELETE FROM sessions WHERE id = ?").bind(1, session_id).run();
    });
}

}  // namespace flow::sql
