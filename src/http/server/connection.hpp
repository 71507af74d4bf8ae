#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "common/metrics.hpp"
#include "http/server/connection_limits.hpp"

namespace flow::http {

// A client's connection as the HTTP server serves it: counted in flow_open_connections
// and against the connection caps (its `slot`) for as long as it lives.
class Connection {
public:
    Connection(boost::asio::ip::tcp::socket socket, Metrics& metrics, ConnectionLimits::Slot slot = {})
        : client_address(peer_address(socket)), stream(std::move(socket)), metrics_(metrics),
          slot_(std::move(slot)) {
        metrics_.connection_opened();
    }
    ~Connection() {
        if (counted_) metrics_.connection_closed();
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // For a socket that leaves the HTTP server (a WebSocket): its socket, and what keeps
    // it counted in flow_open_connections and against the connection caps for as long as
    // the caller holds it. This Connection is then an empty shell.
    std::pair<boost::asio::ip::tcp::socket, std::shared_ptr<void>> take_socket() {
        counted_ = false;
        return {stream.release_socket(), std::make_shared<Counted>(metrics_, std::move(slot_))};
    }

    // The peer's address, before any X-Forwarded-For.
    template <class Socket>
    static std::string peer_address(const Socket& socket) {
        boost::system::error_code ignored;
        return socket.remote_endpoint(ignored).address().to_string();
    }

    const std::string client_address;  // the peer's, before any X-Forwarded-For
    boost::beast::tcp_stream stream;

private:
    class Counted {
    public:
        Counted(Metrics& metrics, ConnectionLimits::Slot slot) : metrics_(metrics), slot_(std::move(slot)) {}
        ~Counted() { metrics_.connection_closed(); }
        Counted(const Counted&) = delete;
        Counted& operator=(const Counted&) = delete;

    private:
        Metrics& metrics_;
        ConnectionLimits::Slot slot_;
    };

    Metrics& metrics_;
    ConnectionLimits::Slot slot_;
    bool counted_ = true;  // until take_socket()
};

// A mount that keeps a connection for long (a WebSocket) moves it out of the
// OwnedConnection it is handed and serves it apart: the HTTP server's coroutine for the
// connection then ends, and frees all it held to read requests.
using OwnedConnection = std::unique_ptr<Connection>;

// The completion of a coroutine that serves a connection (co_spawn's handler): what it
// threw ends that connection only, and is logged.
inline void log_if_failed(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        spdlog::error("connection failed: {}", e.what());
    } catch (...) {
        spdlog::error("connection failed");
    }
}

}  // namespace flow::http
