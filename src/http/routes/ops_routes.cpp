#include "http/routes/ops_routes.hpp"

#include <algorithm>

#include "http/assets.hpp"

namespace flow::http {

void add_ops_routes(Router& router, HealthCheck health, const Metrics& metrics) {
    // Whether every backend in `parts` is "ok".
    const auto all_ok = [](const boost::json::object& parts) {
        return std::all_of(parts.begin(), parts.end(), [](const auto& part) { return part.value() == "ok"; });
    };
    router.add("GET", "/health", Access::anyone, [health, all_ok](Request&) {
        auto report = health();
        report["status"] = all_ok(report) ? "ok" : "degraded";
        return Response::json(200, report);
    });
    router.add("GET", "/ready", Access::anyone, [health, all_ok](Request&) {
        auto report = health();
        const bool ready = all_ok(report);
        report["status"] = ready ? "ready" : "not_ready";
        return Response::json(ready ? 200 : 503, report);
    });
    router.add("GET", "/metrics", Access::anyone, [&metrics](Request&) {
        return Response::text(200, "text/plain; version=0.0.4", metrics.render());
    });

    const auto serve = [&router](const char* path, const char* type, std::string_view content) {
        router.add("GET", path, Access::anyone, [type, content](Request&) {
            return Response::text(200, type, std::string(content));
        });
    };
    serve("/openapi.json", "application/json", assets::openapi_json());
    serve("/asyncapi.yaml", "application/yaml; charset=utf-8", assets::asyncapi_yaml());
    serve("/docs", "text/html; charset=utf-8", assets::docs_html());
    serve("/docs/docs.js", "application/javascript", assets::docs_js());
    serve("/docs/docs.css", "text/css", assets::docs_css());
    serve("/", "text/html; charset=utf-8", assets::webapp_html());
    serve("/app.js", "application/javascript", assets::webapp_js());
}

}  // namespace flow::http
