#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace flow::http {

// The id a request is known by in logs, and in its answer's X-Request-Id: the one the
// client or a proxy sent in X-Request-Id when it is 1 to 128 visible ASCII characters,
// else a new one.
std::string request_id_for(std::string_view sent);

// One answered request, as its access log line says it.
struct AccessEntry {
    std::string_view method;      // "-" for a request that could not be read
    std::string_view path;        // without the query, which may hold a token
    int status = 0;
    std::chrono::steady_clock::time_point started;
    std::string_view client;      // the client's address (X-Forwarded-For from a trusted proxy)
    std::string_view user;        // the signed-in user's id, or empty
    std::string_view request_id;
};

// Writes the access log line `request method=... path=... status=... duration_ms=...
// client=... user=... request_id=...` (a JSON object with --log-format json).
void log_access(const AccessEntry& entry);

}  // namespace flow::http
