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

std::optional<Report> SqlReportStore::find(const std::string& report_id) {
    return db_.with([&](Connection& db) -> std::optional<Report> {
        auto stmt = db.prepare(
            "SELECT id, reporter_id, reported_id, reason, note, created_at FROM reports WHERE id = ?");
        stmt.bind(1, report_id);
        if (!stmt.step()) return std::nullopt;
        Report report{stmt.text(0), stmt.text(1), stmt.text(2),
                      report_reason_from(stmt.text(3)).value_or(ReportReason::other), stmt.text(4),
                      stmt.integer(5), {}};
        auto messages = db.prepare(
            "SELECT message_id, chat_id, seq, sender_id, type, text, media_id, created_at FROM report_messages "
            "WHERE report_id = ? ORDER BY created_at, message_id");
        messages.bind(1, report_id);
        while (messages.step())
            report.messages.push_back({messages.text(0), messages.text(1), messages.integer(2), messages.text(3),
                                       message_type_from(messages.text(4)).value_or(MessageType::text),
                                       messages.text(5), messages.optional_text(6), messages.integer(7)});
        return report;
    });
}

}  // namespace flow::sql
