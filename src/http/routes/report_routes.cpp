#include "http/routes/report_routes.hpp"

#include "wire/json_reader.hpp"

namespace flow::http {

using wire::JsonReader;

void add_report_routes(Router& router, ReportService& reports) {
    router.add("POST", "/users/{user_id}/report", Access::signed_in, [&reports](Request& request) {
        JsonReader in(request.body);
        const auto reason_name = in.string("reason");
        NewReport report;
        if (const auto* ids = in.optional_field("message_ids"); ids && !ids->is_null())
            report.message_ids = in.string_array("message_ids");
        report.note = in.optional_string("note").value_or("");
        if (in.error()) return Response::error(*in.error());
        const auto reason = report_reason_from(reason_name);
        if (!reason) return Response::error(Error::invalid("invalid_field", "reason must be spam, abuse or other"));
        report.reason = *reason;
        auto filed = reports.report(request.who(), request.param("user_id"), std::move(report));
        if (!filed) return Response::error(filed.error());
        return Response::json(202, {{"id", *filed}});
    });
}

}  // namespace flow::http
