#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <string>

#include "server/connection.hpp"

namespace flow::server {

// What a mount did with the connection it was handed.
enum class Disposition {
    keep_alive,  // it answered; the connection may carry the next request
    close,       // it answered or upgraded and finished; close the connection
};

// A handler that takes over requests to one path (Engine.IO's polling and WebSocket
// transports, the plain /ws socket): unlike a Router handler it gets the connection
// itself, so it may answer later (long-polling) or upgrade it to a WebSocket and serve
// that until it ends, or take the connection and serve it apart (see OwnedConnection).
// It runs on the connection's strand and must not block.
using Mount = std::function<boost::asio::awaitable<Disposition>(
    OwnedConnection& connection, boost::beast::http::request<boost::beast::http::string_body>& request)>;

// A mount that reads the request body itself, as it streams in (uploads): it gets the
// connection, its read buffer and the parser holding the request's header, and must
// read the body, or throw it away with discard_body (server/request_body.hpp), or close,
// before returning keep_alive: a body left unread would be parsed as the next request.
using StreamingMount = std::function<boost::asio::awaitable<Disposition>(
    boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
    boost::beast::http::request_parser<boost::beast::http::empty_body>& header,
    const std::string& client_address)>;

}  // namespace flow::server
