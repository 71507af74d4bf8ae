#include "domain/report.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace flow {

std::string_view to_string(ReportReason reason) {
    switch (reason) {
        case ReportReason::spam: return "spam";
        case ReportReason::abuse: return "abuse";
        case ReportReason::other: return "other";
    }
    return "other";
}

std::optional<ReportReason> report_reason_from(std::string_view name) {
    for (auto reason : kReportReasons)
        if (name == to_string(reason)) return reason;
    return std::nullopt;
}

Status validate_new_report(const std::string& reporter_id, const std::string& reported_id, NewReport& report) {
    if (reporter_id == reported_id) return Error::invalid("self_report", "you cannot report yourself");
    std::vector<std::string> distinct;
    for (auto& id : report.message_ids) {
        if (std::find(distinct.begin(), distinct.end(), id) != distinct.end()) continue;
        if (distinct.size() == kMaxReportedMessages)
            return Error::invalid("too_many_messages", "a report names at most 20 messages");
        distinct.push_back(std::move(id));
    }
    report.message_ids = std::move(distinct);
    if (utf8_length(report.note) > kMaxReportNoteLength)
        return Error::invalid("too_long", "note is longer than 1000 characters");
    return Ok{};
}

}  // namespace flow
