#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <optional>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/metrics.hpp"
#include "http/client_address.hpp"
#include "http/cors.hpp"
#include "http/router.hpp"
#include "http/server/access_log.hpp"
#include "http/server/connection_limits.hpp"
#include "http/server/mount.hpp"
#include "http/server/request_body.hpp"

namespace flow::http {

struct HttpOptions {
    // Load balancers whose X-Forwarded-For names the client (see http::client_address).
    TrustedProxies trusted_proxies;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::seconds idle_timeout{60};  // a keep-alive connection with no request
    std::chrono::seconds io_timeout{30};    // the longest a started request or an answer may stall
    ConnectionCaps caps;                    // open connections, in all and per peer address
    CorsPolicy cors;                        // web apps of other origins that may call
};

// Accepts connections and serves HTTP/1.1 on them with keep-alive: each request is read
// on the connection's strand, answered by the Router on the blocking pool (a streaming
// route on the strand, reading the body itself), logged and counted. Lives on one io_context run by several threads. Connections over the caps are
// closed as soon as accepted; out of descriptors, it sheds new ones with a reserve
// descriptor and backs off rather than spin.
// A socket bound to `host`:`port` and listening, made before anything else at start so that
// a port in use is said at once; throws std::runtime_error, naming the address and why
// ("cannot listen on 0.0.0.0:8000: address in use").
boost::asio::ip::tcp::acceptor bind_listener(boost::asio::io_context& io, const std::string& host,
                                             unsigned short port);

class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, boost::asio::thread_pool& pool,
               const http::Router& router, Metrics& metrics, HttpOptions options);

    // Hands every request whose path is `path` to `mount` instead of the router; a `path`
    // ending in '/' takes the paths below it too. Call before `listen`.
    void mount(std::string path, Mount mount);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Starts accepting on a bound listener (bind_listener).
    void listen(boost::asio::ip::tcp::acceptor listener);
    unsigned short port() const;
    // Stops accepting. Requests already being answered finish; see `busy`.
    void stop_accepting();
    // Whether a request is being answered now.
    bool busy() const { return requests_in_flight_ > 0; }

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, ConnectionLimits::Slot slot);
    // Counts a new connection against the caps; false (and counted as refused) when over.
    bool admit(const std::string& address, ConnectionLimits::Slot& slot);
    // Out of descriptors: frees the reserve one to accept and close a waiting connection
    // at once, so that the backlog drains. Whether one was shed.
    bool shed_one();
    const Mount* find_mount(std::string_view target) const;
    // Answers a CORS preflight from an allowed origin; nullopt for any other request.
    boost::asio::awaitable<std::optional<Disposition>> answer_preflight(boost::beast::tcp_stream& stream,
                                                                       const HeaderParser& header,
                                                                       const std::string& peer);
    boost::asio::awaitable<Disposition> serve_streaming(const Route& route, Request& request,
                                                        boost::beast::tcp_stream& stream,
                                                        boost::beast::flat_buffer& buffer, HeaderParser& header);
    // Logs an answered request and counts it in the request metrics, under its route.
    void record(const std::string& route, const AccessEntry& entry);

    boost::asio::io_context& io_;
    boost::asio::thread_pool& pool_;
    const http::Router& router_;
    Metrics& metrics_;
    HttpOptions options_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<int> requests_in_flight_{0};
    ConnectionLimits limits_;
    int reserve_fd_ = -1;  // /dev/null, held to be given up when descriptors run out
    std::vector<std::pair<std::string, Mount>> mounts_;
};

}  // namespace flow::http
