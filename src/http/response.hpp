#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/result.hpp"

namespace flow::http {

// What a handler answers: a status, a body and its type, and any further headers.
struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // The route template that answered ("/users/{user_id}"), for logs and metrics.
    std::string route;

    static Response json(int status, const boost::json::value& body);
    static Response no_content();
    static Response text(int status, std::string content_type, std::string body);
    // The error's HTTP status and `{"error": {"code", "message"}}`, with Retry-After
    // for rate limits.
    static Response error(const Error& error);
    // 204 for a done Status, its error otherwise.
    static Response done(const Status& status);
};

// The HTTP status for each kind of error: the one place that maps them.
int status_for(ErrorKind kind);

}  // namespace flow::http
