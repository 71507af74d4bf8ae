#pragma once

#include <string>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "common/result.hpp"
#include "domain/report.hpp"
#include "limits/rate_limiter.hpp"
#include "service/auth_service.hpp"
#include "storage/report_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// Reports of users: filing one, with a copy of the messages it names kept for review
// (issue 19's admin tool reads them), counted in flow_reports_total by reason. Checked in
// this order, each before any cost of the next: the report itself (validate_new_report),
// the reporter's rate (`rate_limited`), the reported user exists (not_found), each
// message is one the reporter can see (not_found). Blocking (storage, a shared rate
// limiter): call it on the blocking pool. Thread-safe.
class ReportService {
public:
    ReportService(ReportStore& reports, UserStore& users, RateLimiter& limits, Metrics& metrics, const Clock& clock);

    // Files the caller's report of `user_id`; the report's id.
    Result<std::string> report(const Caller& caller, const std::string& user_id, NewReport report);

private:
    ReportStore& reports_;
    UserStore& users_;
    RateLimiter& limits_;
    Metrics& metrics_;
    const Clock& clock_;
};

}  // namespace flow
