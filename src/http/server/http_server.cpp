#include "http/server/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "http/client_address.hpp"
#include "http/server/beast_response.hpp"
#include "http/server/blocking_pool.hpp"
#include "http/server/request_body.hpp"
#include "http/server/streaming_exchange.hpp"

namespace flow::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Copies what a handler needs out of Beast's request header (the body comes later).
// nullopt for a target that is not a valid origin-form path.
std::optional<http::Request> to_request(const bhttp::request_header<>& in, const std::string& peer,
                                        const TrustedProxies& trusted_proxies) {
    auto url = boost::urls::parse_origin_form(in.target());
    if (!url) return std::nullopt;
    http::Request out;
    out.method = std::string(in.method_string());
    out.path = url->path();
    for (const auto& param : url->params()) out.query.emplace_back(param.key, param.value);
    for (const auto& field : in) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.client_address = http::client_address(peer, in["X-Forwarded-For"], trusted_proxies);
    return out;
}

// The answer to a request that could not be read, before closing the connection.
http::Response unreadable(const beast::error_code& ec) {
    if (ec == bhttp::error::body_limit)
        return http::Response::error({ErrorKind::too_large, "too_large", "the body is too large", {}});
    if (ec == bhttp::error::header_limit)
        return http::Response::error({ErrorKind::too_large, "headers_too_large", "the headers are too large", {}});
    return http::Response::error(Error::invalid("bad_request", "malformed HTTP request"));
}

bool is_disconnect(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == bhttp::error::partial_message;
}

bool out_of_descriptors(const beast::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
           ec == asio::error::no_memory || ec == beast::error_code(ENFILE, beast::system_category());
}

// Counts a request among those being answered (HttpServer::busy) while it lives.
class InFlight {
public:
    explicit InFlight(std::atomic<int>& count) : count_(count) { ++count_; }
    ~InFlight() { --count_; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    std::atomic<int>& count_;
};

// A log line that may repeat as fast as the loop around it: printed at most once a
// second, with how many were left out.
class ThrottledLog {
public:
    void warn(const std::string& text) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::seconds(1)) {
            ++left_out_;
            return;
        }
        if (left_out_) spdlog::warn("{} ({} more like it in the last second)", text, left_out_);
        else spdlog::warn("{}", text);
        last_ = now;
        left_out_ = 0;
    }

private:
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t left_out_ = 0;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, asio::thread_pool& pool, const http::Router& router,
                       Metrics& metrics, HttpOptions options)
    : io_(io), pool_(pool), router_(router), metrics_(metrics), options_(std::move(options)), acceptor_(io),
      limits_(options_.caps) {}

HttpServer::~HttpServer() {
    if (reserve_fd_ >= 0) ::close(reserve_fd_);
}

tcp::acceptor bind_listener(asio::io_context& io, const std::string& host, unsigned short port) {
    const auto where = [&] { return "cannot listen on " + host + ":" + std::to_string(port) + ": "; };
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error(where() + "not an IP address");
    const tcp::endpoint endpoint(address, port);
    tcp::acceptor listener(io);
    listener.open(endpoint.protocol(), ec);
    if (!ec) listener.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) listener.bind(endpoint, ec);
    if (!ec) listener.listen(asio::socket_base::max_listen_connections, ec);
    if (ec == asio::error::address_in_use) throw std::runtime_error(where() + "address in use");
    if (ec == asio::error::access_denied)
        throw std::runtime_error(where() + "permission denied (a port below 1024 needs CAP_NET_BIND_SERVICE)");
    if (ec == boost::system::errc::address_not_available) throw std::runtime_error(where() + "no such address on this machine");
    if (ec) throw std::runtime_error(where() + ec.message());
    return listener;
}

void HttpServer::listen(tcp::acceptor listener) {
    acceptor_ = std::move(listener);
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    asio::co_spawn(io_, accept_loop(), asio::detached);
}

void HttpServer::mount(std::string path, Mount mount) {
    mounts_.emplace_back(std::move(path), std::move(mount));
}

const Mount* HttpServer::find_mount(std::string_view target) const {
    const auto path = target.substr(0, target.find('?'));
    for (const auto& [prefix, mount] : mounts_)
        if (path == prefix || (prefix.ends_with('/') && path.starts_with(prefix))) return &mount;
    return nullptr;
}

unsigned short HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::stop_accepting() {
    asio::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
}

asio::awaitable<void> HttpServer::accept_loop() {
    using namespace std::chrono_literals;
    ThrottledLog failures;
    asio::steady_timer backoff(io_);
    auto pause = 10ms;
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted) break;
            const bool shed = out_of_descriptors(ec) && shed_one();
            failures.warn("accept failed: " + ec.message() + (shed ? " (a new connection was shed)" : ""));
            if (shed) continue;  // progress: the backlog shrank
            // Nothing to be done at once: wait, longer each time, rather than spin.
            backoff.expires_after(pause);
            co_await backoff.async_wait(kTuple);
            pause = std::min(pause * 2, std::chrono::milliseconds(100));
            continue;
        }
        pause = 10ms;
        ConnectionLimits::Slot slot;
        if (!admit(Connection::peer_address(socket), slot)) continue;  // closed here, as `socket` goes
        // Answers and events are small and often alone: each leaves at once, not when the
        // client has acknowledged the one before (Nagle). Batches are corked instead.
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, serve(std::move(socket), std::move(slot)), log_if_failed);
    }
}

bool HttpServer::admit(const std::string& address, ConnectionLimits::Slot& slot) {
    // A load balancer's connections carry many clients: only the total caps them.
    const bool per_address = !options_.trusted_proxies.contains(address);
    switch (limits_.admit(address, per_address, slot)) {
        case ConnectionLimits::Verdict::admitted:
            return true;
        case ConnectionLimits::Verdict::too_many:
            metrics_.connection_refused("max_connections");
            return false;
        case ConnectionLimits::Verdict::too_many_from_address:
            metrics_.connection_refused("max_connections_per_address");
            return false;
    }
    return false;
}

bool HttpServer::shed_one() {
    if (reserve_fd_ < 0) reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // taken last time
    if (reserve_fd_ < 0) return false;
    ::close(reserve_fd_);
    const int shed = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (shed >= 0) {
        ::close(shed);
        metrics_.connection_refused("descriptors");
    }
    reserve_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return shed >= 0;
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket, ConnectionLimits::Slot slot) {
    auto connection = std::make_unique<Connection>(std::move(socket), metrics_, std::move(slot));
    // Both stay valid while `connection` is ours: a mount may take it (see Mount).
    auto& stream = connection->stream;
    const auto& client_address = connection->client_address;
    beast::flat_buffer buffer;

    for (;;) {
        // The header first: a streaming route reads the body itself.
        bhttp::request_parser<bhttp::empty_body> header;
        header.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
        header.body_limit(boost::none);
        stream.expires_after(options_.idle_timeout);
        auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, header, kTuple);
        if (!header_ec)
            if (const auto preflight = co_await answer_preflight(stream, header, client_address)) {
                if (*preflight == Disposition::close) break;
                continue;
            }
        const auto* mount = header_ec ? nullptr : find_mount(header.get().target());
        std::optional<http::Request> request;
        if (!header_ec && !mount) {
            request = to_request(header.get(), client_address, options_.trusted_proxies);
            if (const auto* route = request ? router_.streaming_route(*request) : nullptr) {
                if (co_await serve_streaming(*route, *request, stream, buffer, header) == Disposition::close) break;
                continue;
            }
        }

        // Then the body, for the router or a mount, when the header was read whole.
        std::optional<bhttp::request_parser<bhttp::string_body>> body;
        beast::error_code ec = header_ec;
        if (!ec) {
            const auto length = header.content_length();
            if (length && *length > options_.max_body_bytes) {
                ec = bhttp::error::body_limit;  // answered at once, without 100 Continue, and closed
            } else {
                ec = co_await continue_if_expected(stream, header, options_.io_timeout);
                body.emplace(std::move(header));
                body->body_limit(options_.max_body_bytes);
                if (!ec) ec = co_await read_body_some(stream, buffer, *body, options_.io_timeout);
            }
        }
        const auto started = std::chrono::steady_clock::now();

        if (!ec && mount) {
            const auto disposition = co_await (*mount)(connection, body->get());
            if (!connection) co_return;  // taken: served apart
            if (disposition == Disposition::close) break;
            continue;
        }

        http::Response response;
        bool keep_alive = false;
        unsigned version = 11;
        bool head = false;
        if (ec) {
            if (is_disconnect(ec)) break;
            response = unreadable(ec);
            response.route = "unreadable";
        } else {
            auto& message = body->get();
            keep_alive = message.keep_alive();
            version = message.version();
            head = message.method() == bhttp::verb::head;
            if (!request) {
                response = http::Response::error(Error::invalid("bad_request", "malformed request target"));
                response.route = "unreadable";
            } else {
                request->body = std::move(message.body());
                InFlight counted(requests_in_flight_);
                response = co_await offload(pool_, [this, &request] { return router_.handle(*request); });
            }
        }

        if (!ec)
            for (auto& h : options_.cors.answer_headers(body->get()[bhttp::field::origin])) response.headers.push_back(std::move(h));
        const auto request_id = request_id_for(ec ? std::string_view() : std::string_view(body->get()["X-Request-Id"]));
        response.headers.emplace_back("X-Request-Id", request_id);
        const std::string route = response.route;
        const int status = response.status;
        const std::string method = ec ? "-" : std::string(body->get().method_string());
        auto answer = to_beast(std::move(response), version, keep_alive, head);
        bhttp::response_serializer<bhttp::string_body> serializer(answer);
        const auto write_ec = co_await write_some_answer(stream, serializer, options_.io_timeout);

        record(route, {.method = method,
                       .path = request ? std::string_view(request->path) : std::string_view("-"),
                       .status = status,
                       .started = started,
                       .client = request ? std::string_view(request->client_address) : std::string_view(client_address),
                       .user = request && request->caller ? std::string_view(request->caller->user_id) : std::string_view(),
                       .request_id = request_id});
        if (write_ec || !keep_alive) break;
    }
    co_await close_gracefully(stream);
}

asio::awaitable<std::optional<Disposition>> HttpServer::answer_preflight(beast::tcp_stream& stream,
                                                                         const HeaderParser& header,
                                                                         const std::string& peer) {
    const auto& request = header.get();
    // A preflight has no body: one with a body is no preflight, and is answered as sent.
    if (request.method() != bhttp::verb::options || !header.is_done() ||
        request.find(bhttp::field::access_control_request_method) == request.end())
        co_return std::nullopt;
    const auto started = std::chrono::steady_clock::now();
    auto headers = options_.cors.preflight_headers(request[bhttp::field::origin],
                                                   request[bhttp::field::access_control_request_headers]);
    if (!headers) co_return std::nullopt;
    http::Response response = http::Response::no_content();
    response.headers = std::move(*headers);
    const auto request_id = request_id_for(std::string_view(request["X-Request-Id"]));
    response.headers.emplace_back("X-Request-Id", request_id);
    auto answer = to_beast(std::move(response), request.version(), request.keep_alive());
    bhttp::response_serializer<bhttp::string_body> serializer(answer);
    const auto ec = co_await write_some_answer(stream, serializer, options_.io_timeout);
    const auto target = request.target();
    const auto client = http::client_address(peer, request["X-Forwarded-For"], options_.trusted_proxies);
    record("preflight", {.method = "OPTIONS",
                         .path = target.substr(0, target.find('?')),
                         .status = 204,
                         .started = started,
                         .client = client,
                         .user = {},
                         .request_id = request_id});
    co_return ec || !request.keep_alive() ? Disposition::close : Disposition::keep_alive;
}

asio::awaitable<Disposition> HttpServer::serve_streaming(const http::Route& route, http::Request& request,
                                                         beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                         HeaderParser& header) {
    const auto started = std::chrono::steady_clock::now();
    InFlight counted(requests_in_flight_);
    StreamingExchange exchange(stream, buffer, header, pool_, options_.io_timeout);
    exchange.headers = options_.cors.answer_headers(request.header("origin"));
    const auto request_id = request_id_for(request.header("x-request-id"));
    exchange.headers.emplace_back("X-Request-Id", request_id);
    auto refusal = co_await offload(pool_, [&] { return router_.authorize(route, request); });
    auto disposition = Disposition::close;
    try {
        disposition = refusal ? co_await exchange.answer(std::move(*refusal)) : co_await route.streaming(request, exchange);
    } catch (const std::exception& e) {
        // Whatever the route had begun to send cannot be finished: the connection closes.
        spdlog::error("{} {} failed: {}", route.method, route.pattern, e.what());
        if (exchange.status == 0) exchange.status = 500;
    }
    record(route.pattern, {.method = request.method,
                           .path = request.path,
                           .status = exchange.status,
                           .started = started,
                           .client = request.client_address,
                           .user = request.caller ? std::string_view(request.caller->user_id) : std::string_view(),
                           .request_id = request_id});
    co_return disposition;
}

void HttpServer::record(const std::string& route, const AccessEntry& entry) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - entry.started).count();
    metrics_.record_request(route, std::string(entry.method), entry.status, seconds);
    log_access(entry);
}

}  // namespace flow::http
