#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

#include "common/utf8.hpp"
#include "wire/text_check.hpp"

namespace flow::http {

namespace {

// Matches `path` against a pattern segment by segment, filling `params` for {names}.
bool match(std::string_view pattern, std::string_view path,
           std::map<std::string, std::string, std::less<>>& params) {
    params.clear();
    while (!pattern.empty() || !path.empty()) {
        if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
        pattern.remove_prefix(1);
        path.remove_prefix(1);
        const auto pattern_segment = pattern.substr(0, pattern.find('/'));
        const auto path_segment = path.substr(0, path.find('/'));
        if (pattern_segment.starts_with('{')) {
            if (path_segment.empty()) return false;
            params.emplace(pattern_segment.substr(1, pattern_segment.size() - 2), path_segment);
        } else if (pattern_segment != path_segment) {
            return false;
        }
        pattern.remove_prefix(pattern_segment.size());
        path.remove_prefix(path_segment.size());
    }
    return true;
}

// The invalid_text error for the first decoded part of the target that is not valid
// text, before any route sees it: PostgreSQL takes no NUL and no broken UTF-8.
std::optional<Error> check_target(const Request& request) {
    if (!is_valid_text(request.path)) return wire::invalid_text("the path");
    for (const auto& [key, value] : request.query) {
        if (!is_valid_text(key)) return wire::invalid_text("a query parameter's name");
        if (!is_valid_text(value)) return wire::invalid_text("the query parameter " + key);
    }
    return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool takes_method(const Route& route, std::string_view method) {
    return route.method == method || (method == "HEAD" && route.method == "GET");
}

}  // namespace

std::string bearer_token(std::string_view authorization) {
    if (authorization.size() <= 7 || !iequals(authorization.substr(0, 7), "bearer ")) return {};
    auto token = authorization.substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return std::string(token);
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
    routes_.push_back({std::move(method), std::move(pattern), access, std::move(handler), {}});
}

void Router::add_streaming(std::string method, std::string pattern, Access access, StreamingHandler handler) {
    routes_.push_back({std::move(method), std::move(pattern), access, {}, std::move(handler)});
}

const Route* Router::streaming_route(Request& request) const {
    if (check_target(request)) return nullptr;  // handle answers it
    for (const auto& route : routes_)
        if (route.streaming && takes_method(route, request.method) && match(route.pattern, request.path, request.params))
            return &route;
    return nullptr;
}

Response Router::handle(Request& request) const {
    if (auto invalid = check_target(request)) {
        auto response = Response::error(*invalid);
        response.route = "unmatched";
        return response;
    }
    std::string allow;
    for (const auto& route : routes_) {
        if (!match(route.pattern, request.path, request.params)) continue;
        if (takes_method(route, request.method)) {
            auto response = run(route, request);
            response.route = route.pattern;
            return response;
        }
        if (allow.find(route.method) == std::string::npos)
            allow += (allow.empty() ? "" : ", ") + route.method;
    }
    if (allow.empty()) {
        auto response = Response::error(Error::not_found("no route for " + request.path));
        response.route = "unmatched";
        return response;
    }
    auto response = Response::error(
        {ErrorKind::invalid_argument, "method_not_allowed", request.method + " is not allowed here; use " + allow, {}});
    response.status = 405;
    response.headers.emplace_back("Allow", allow);
    response.route = "unmatched";
    return response;
}

std::optional<Response> Router::authorize(const Route& route, Request& request) const {
    if (route.access == Access::anyone) return std::nullopt;
    const auto token = bearer_token(request.header("authorization"));
    if (token.empty())
        return Response::error(Error::unauthorized("unauthorized", "sign in first: send Authorization: Bearer <token>"));
    auto caller = authenticate_(token);
    if (!caller) return Response::error(caller.error());
    request.caller = std::move(*caller);
    return std::nullopt;
}

Response Router::run(const Route& route, Request& request) const {
    try {
        if (auto refusal = authorize(route, request)) return std::move(*refusal);
        return route.handler(request);
    } catch (const std::exception& e) {
        spdlog::error("{} {} failed: {}", route.method, route.pattern, e.what());
        return Response::error(Error::internal("the server failed to answer; try again"));
    }
}

}  // namespace flow::http
