#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/message.hpp"

namespace flow {

// Why a user is reported.
enum class ReportReason { spam, abuse, other };

std::string_view to_string(ReportReason reason);
std::optional<ReportReason> report_reason_from(std::string_view name);
inline constexpr ReportReason kReportReasons[] = {ReportReason::spam, ReportReason::abuse, ReportReason::other};

inline constexpr std::size_t kMaxReportedMessages = 20;
inline constexpr std::size_t kMaxReportNoteLength = 1000;

// What a reporter asks: a reason, the messages that show it (ids, of chats the reporter
// is in) and a note of their own.
struct NewReport {
    ReportReason reason = ReportReason::other;
    std::vector<std::string> message_ids;
    std::string note;
};

// A message as it was when reported, kept for review whatever becomes of it.
struct ReportedMessage {
    std::string message_id;
    std::string chat_id;
    Seq seq = 0;
    std::string sender_id;
    MessageType type = MessageType::text;
    std::string text;
    std::optional<std::string> media_id;
    TimeMs created_at = 0;
};

// A report of one user by another, for review (the admin tool of issue 19).
struct Report {
    std::string id;
    std::string reporter_id;
    std::string reported_id;
    ReportReason reason = ReportReason::other;
    std::string note;
    TimeMs created_at = 0;
    std::vector<ReportedMessage> messages;  // oldest first
    std::optional<TimeMs> resolved_at;      // when an operator resolved it; open until then
};

// Checks a report before anything is looked up: nobody reports themself (`self_report`),
// at most 20 distinct messages (`too_many_messages`), a note of at most 1000 characters
// (`too_long`). Repeated message ids count once: `report.message_ids` is left distinct,
// in the order first named.
Status validate_new_report(const std::string& reporter_id, const std::string& reported_id, NewReport& report);

}  // namespace flow
