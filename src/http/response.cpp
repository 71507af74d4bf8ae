#include "http/response.hpp"

#include <boost/json/serialize.hpp>

namespace flow::http {

int status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_argument: return 400;
        case ErrorKind::unauthorized: return 401;
        case ErrorKind::forbidden: return 403;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::too_large: return 413;
        case ErrorKind::unsupported: return 415;
        case ErrorKind::rate_limited: return 429;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

Response Response::json(int status, const boost::json::value& body) {
    return Response{status, "application/json", boost::json::serialize(body), {}, {}};
}

Response Response::no_content() { return Response{204, "", "", {}, {}}; }

Response Response::done(const Status& status) { return status ? no_content() : error(status.error()); }

Response Response::text(int status, std::string content_type, std::string body) {
    return Response{status, std::move(content_type), std::move(body), {}, {}};
}

Response Response::error(const Error& error) {
    auto response = json(status_for(error.kind),
                         {{"error", {{"code", error.code}, {"message", error.message}}}});
    if (error.retry_after_s)
        response.headers.emplace_back("Retry-After", std::to_string(*error.retry_after_s));
    if (error.kind == ErrorKind::unauthorized)
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
}

}  // namespace flow::http
