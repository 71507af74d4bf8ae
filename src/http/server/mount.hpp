#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>

#include "http/router.hpp"
#include "http/server/connection.hpp"

namespace flow::http {

// A handler that takes over requests to one path (Engine.IO's polling and WebSocket
// transports, the plain /ws socket): unlike a Router handler it gets the connection
// itself, so it may answer later (long-polling) or upgrade it to a WebSocket and serve
// that until it ends, or take the connection and serve it apart (see OwnedConnection).
// It runs on the connection's strand and must not block.
using Mount = std::function<boost::asio::awaitable<Disposition>(
    OwnedConnection& connection, boost::beast::http::request<boost::beast::http::string_body>& request)>;

}  // namespace flow::http
