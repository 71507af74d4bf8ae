#pragma once

#include <boost/json/object.hpp>
#include <functional>

#include "common/metrics.hpp"
#include "http/router.hpp"

namespace flow::http {

// The state of each backend the node uses: `{storage, media, bus}`, each "ok" or "down"
// (an in-process bus, or media in a folder, is always "ok").
using HealthCheck = std::function<boost::json::object()>;

// Operations: /health (liveness: 200 while the process answers, `status` "ok", or
// "degraded" while a backend is down), /ready (readiness: 200 once every backend answers,
// else 503, so that a load balancer sends nothing to a node that cannot serve), /metrics,
// /openapi.json and the /docs page that renders it; and the web app, its page at / and its
// script at /app.js.
void add_ops_routes(Router& router, HealthCheck health, const Metrics& metrics);

}  // namespace flow::http
