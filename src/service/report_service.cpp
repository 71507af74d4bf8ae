#include "service/report_service.hpp"

#include "common/ids.hpp"

namespace flow {

ReportService::ReportService(ReportStore& reports, UserStore& users, RateLimiter& limits, Metrics& metrics,
                             const Clock& clock)
    : reports_(reports), users_(users), limits_(limits), metrics_(metrics), clock_(clock) {
    // Every reason has its series from the start, at 0.
    for (auto reason : kReportReasons) metrics_.report(to_string(reason), 0);
}

Result<std::string> ReportService::report(const Caller& caller, const std::string& user_id, NewReport request) {
    if (auto valid = validate_new_report(caller.user_id, user_id, request); !valid) return std::move(valid).error();
    if (auto allowed = limits_.take(Action::report, caller.user_id); !allowed) return std::move(allowed).error();
    if (auto user = users_.find(user_id); !user || is_deleted(*user)) return Error::not_found("no such user");
    const TimeMs now = clock_.now_ms();
    const Report report{new_id(now), caller.user_id, user_id, request.reason, std::move(request.note), now, {}, {}};
    if (!reports_.file(report, request.message_ids))
        return Error::not_found("a message named is not one of the chats you are in");
    metrics_.report(to_string(report.reason));
    return report.id;
}

}  // namespace flow
