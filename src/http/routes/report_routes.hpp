#pragma once

#include "http/router.hpp"
#include "service/report_service.hpp"

namespace flow::http {

// POST /users/{user_id}/report: reporting a user.
void add_report_routes(Router& router, ReportService& reports);

}  // namespace flow::http
