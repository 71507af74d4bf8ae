#include "http/routes/ops_routes.hpp"

#include "http/assets.hpp"

namespace flow::http {

void add_ops_routes(Router& router, HealthCheck health, const Metrics& metrics) {
    router.add("GET", "/health", Access::anyone, [health = std::move(health)](Request&) {
        auto report = health();
        const bool ok = report["status"] == "ok";
        return Response::json(ok ? 200 : 503, report);
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
