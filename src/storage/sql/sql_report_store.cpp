#include "storage/sql/sql_report_store.hpp"

namespace flow::sql {

namespace {

// The message `?2` when user `?1` can see it: in a chat they are in, from where they joined.
#define VISIBLE_MESSAGE                                                                   \
    " FROM messages m JOIN participants p ON p.chat_id = m.chat_id AND p.user_id = ?1 " \
    "WHERE m.id = ?2 AND m.seq >= p.joined_seq"

}  // namespace

bool SqlReportStore::file(const Report& report, const std::vector<std::string>& message_ids) {
    return db_.transaction([&](Connection& db) {
        // Every message is checked before anything is written, so that a refused report
        // leaves nothing behind.
        auto visible = db.prepare("SELECT 1" VISIBLE_MESSAGE);
        for (const auto& id : message_ids) {
            visible.reset();
            visible.bind(1, report.reporter_id).bind(2, id);
            if (!visible.step()) return false;
        }
        db.prepare("INSERT INTO reports (id, reporter_id, reported_id, reason, note, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, report.id)
            .bind(2, report.reporter_id)
            .bind(3, report.reported_id)
            .bind(4, to_string(report.reason))
            .bind(5, report.note)
            .bind(6, report.created_at)
            .run();
        auto copy = db.prepare(
            "INSERT INTO report_messages (report_id, message_id, chat_id, seq, sender_id, type, text, media_id, "
            "created_at) SELECT ?3, m.id, m.chat_id, m.seq, m.sender_id, m.type, m.text, m.media_id, m.created_at"
            VISIBLE_MESSAGE);
        for (const auto& id : message_ids) {
            copy.reset();
            copy.bind(1, report.reporter_id).bind(2, id).bind(3, report.id).run();
        }
        return true;
    });
}

namespace {

#define REPORT_COLUMNS "id, reporter_id, reported_id, reason, note, created_at, resolved_at"

// A report of a row of REPORT_COLUMNS, with its copies.
Report read_report(Connection& db, const Statement& row) {
    Report report{row.text(0), row.text(1), row.text(2), report_reason_from(row.text(3)).value_or(ReportReason::other),
                  row.text(4), row.integer(5), {}, row.optional_integer(6)};
    auto messages = db.prepare(
        "SELECT message_id, chat_id, seq, sender_id, type, text, media_id, created_at FROM report_messages "
        "WHERE report_id = ? ORDER BY created_at, message_id");
    messages.bind(1, report.id);
    while (messages.step())
        report.messages.push_back({messages.text(0), messages.text(1), messages.integer(2), messages.text(3),
                                   message_type_from(messages.text(4)).value_or(MessageType::text),
                                   messages.text(5), messages.optional_text(6), messages.integer(7)});
    return report;
}

}  // namespace

std::optional<Report> SqlReportStore::find(const std::string& report_id) {
    return db_.with([&](Connection& db) -> std::optional<Report> {
        auto stmt = db.prepare("SELECT " REPORT_COLUMNS " FROM reports WHERE id = ?");
        stmt.bind(1, report_id);
        if (!stmt.step()) return std::nullopt;
        return read_report(db, stmt);
    });
}

std::vector<Report> SqlReportStore::list(bool open_only, int limit) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare(open_only ? "SELECT " REPORT_COLUMNS " FROM reports WHERE resolved_at IS NULL "
                                           "ORDER BY created_at DESC, id DESC LIMIT ?"
                                         : "SELECT " REPORT_COLUMNS " FROM reports "
                                           "ORDER BY created_at DESC, id DESC LIMIT ?");
        stmt.bind(1, std::int64_t{limit});
        std::vector<Report> reports;
        while (stmt.step()) reports.push_back(read_report(db, stmt));
        return reports;
    });
}

bool SqlReportStore::resolve(const std::string& report_id, TimeMs now) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("UPDATE reports SET resolved_at = COALESCE(resolved_at, ?) WHERE id = ?");
        stmt.bind(1, now).bind(2, report_id).run();
        return stmt.changes() == 1;
    });
}

}  // namespace flow::sql
