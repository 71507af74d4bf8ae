#pragma once

#include <boost/json/object.hpp>
#include <functional>

#include "common/metrics.hpp"
#include "http/router.hpp"

namespace flow::http {

// What /health reports: `{status, storage, media, bus}`, each part "ok" or "down".
using HealthCheck = std::function<boost::json::object()>;

// Operations: /health, /metrics, /openapi.json and the /docs page that renders it; and
// the web app, its page at / and its script at /app.js.
void add_ops_routes(Router& router, HealthCheck health, const Metrics& metrics);

}  // namespace flow::http
