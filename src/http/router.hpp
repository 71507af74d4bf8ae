#pragma once

#include <boost/asio/awaitable.hpp>
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

// What a handler that had the connection did with it.
enum class Disposition {
    keep_alive,  // it answered; the connection may carry the next request
    close,       // it answered or upgraded and finished; close the connection
};

// The connection of a streaming route's request, and the means to read its body and
// answer (http/server/streaming_exchange.hpp).
struct StreamingExchange;
// A route that reads the request body and writes its answer itself as the bytes stream
// (media), so that a large file is never held whole. It runs on the connection's strand
// with the header read but not the body, and must not block (the exchange offers the
// blocking pool); the server logs and counts it like any route.
using StreamingHandler = std::function<boost::asio::awaitable<Disposition>(Request&, StreamingExchange&)>;

struct Route {
    std::string method;
    std::string pattern;  // "/chats/{chat_id}/messages"
    Access access = Access::anyone;
    Handler handler;              // for a route the router runs
    StreamingHandler streaming;   // or for a route the server hands its connection
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
    void add_streaming(std::string method, std::string pattern, Access access, StreamingHandler handler);
    // Answers a request whose body has been read. Blocking.
    Response handle(Request& request) const;
    // The streaming route for a request whose header has been read, with its path
    // parameters filled in; null when none takes it (then read the body and `handle` it,
    // which also answers a streaming path with another method: 405). Does not block.
    const Route* streaming_route(Request& request) const;
    // Who calls a route: fills in the caller of a signed-in route, or is the answer that
    // refuses the request (401). Blocking.
    std::optional<Response> authorize(const Route& route, Request& request) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    Response run(const Route& route, Request& request) const;

    Authenticator authenticate_;
    std::vector<Route> routes_;
};

// The bearer token of an `Authorization: Bearer <token>` header, or "".
std::string bearer_token(std::string_view authorization);

}  // namespace flow::http
