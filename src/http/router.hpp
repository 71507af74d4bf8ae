#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace flow::http {

// Whether a route answers anyone or only a caller with a valid bearer token.
enum class Access { anyone, signed_in };

using Handler = std::function<Response(Request&)>;

struct Route {
    std::string method;
    std::string pattern;  // "/chats/{chat_id}/messages"
    Access access = Access::anyone;
    Handler handler;
};

// Finds the route for a request and runs it: 400 `invalid_text` for a decoded path or
// query parameter that is not UTF-8 or holds NUL, 404 for an unknown path, 405 (with Allow)
// for a known path and another method, 401 for a signed-in route without a valid token,
// 500 for a handler that throws. Routes are matched in the order they were added, so a
// literal path ("/users/me") goes before a pattern that would also take it. Built at
// start-up, then only read: `handle` is thread-safe; handlers may block.
class Router {
public:
    using Authenticator = std::function<Result<Caller>(const std::string& token)>;
    explicit Router(Authenticator authenticate) : authenticate_(std::move(authenticate)) {}

    void add(std::string method, std::string pattern, Access access, Handler handler);
    Response handle(Request& request) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    Response run(const Route& route, Request& request) const;

    Authenticator authenticate_;
    std::vector<Route> routes_;
};

// The bearer token of an `Authorization: Bearer <token>` header, or "".
std::string bearer_token(std::string_view authorization);

}  // namespace flow::http
