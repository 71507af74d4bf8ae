#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "net/deadline_sweep.hpp"
#include "realtime/engineio/engine_socket.hpp"
#include "realtime/engineio/options.hpp"
#include "http/server/mount.hpp"

namespace flow::realtime::engineio {

class Session;
struct Registry;
}  // namespace flow::realtime::engineio

namespace flow::net::websocket {
class Connection;
}  // namespace flow::net::websocket

namespace flow::realtime::engineio {

// An Engine.IO v4 server: long-polling (GET waits for packets, POST brings them) and
// WebSocket transports, the upgrade from one to the other, heartbeats, and the reference
// server's error answers. Installed on an HttpServer at a path:
//
//   EngineIoServer engine(io.get_executor(), deadlines, options, [](const EngineSocketPtr& socket) {
//       return std::make_shared<MyListener>(socket);
//   });
//   http.mount("/engine.io/", engine.mount());
//
// Each session runs on a strand of its own. Must outlive the HttpServer's connections;
// `close_all` is thread-safe.
class EngineIoServer {
public:
    EngineIoServer(boost::asio::any_io_executor executor, net::DeadlineSweep& deadlines, EngineIoOptions options,
                   realtime::engineio::OpenHandler on_open);
    ~EngineIoServer();

    // The handler to give HttpServer::mount.
    http::Mount mount();
    // Closes every session (shutting down): each sends what it has queued, then closes.
    void close_all();
    std::size_t session_count() const;

private:
    boost::asio::awaitable<http::Disposition> handle(http::OwnedConnection& connection,
                                               boost::beast::http::request<boost::beast::http::string_body>& request);
    // The upgraded connection, out of the HTTP server's hands.
    std::shared_ptr<net::websocket::Connection> take_connection(http::OwnedConnection& connection);
    // A new session on `strand`: the connection's own for a session opened on a
    // WebSocket, a strand of its own for one that starts polling.
    std::shared_ptr<Session> create_session(boost::asio::any_io_executor strand,
                                            const std::string& client_address, bool websocket);

    boost::asio::any_io_executor executor_;
    net::DeadlineSweep& deadlines_;
    EngineIoOptions options_;
    realtime::engineio::OpenHandler on_open_;
    std::shared_ptr<Registry> registry_;
};

}  // namespace flow::realtime::engineio
