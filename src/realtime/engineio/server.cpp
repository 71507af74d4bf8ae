#include "realtime/engineio/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include "common/ids.hpp"
#include "net/websocket/connection.hpp"
#include "net/websocket/handshake.hpp"
#include "realtime/engineio/session.hpp"

namespace flow::realtime::engineio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using Request = bhttp::request<bhttp::string_body>;

struct Registry {
    std::shared_ptr<Session> find(const std::string& sid) {
        std::lock_guard lock(mutex);
        const auto it = sessions.find(sid);
        return it == sessions.end() ? nullptr : it->second;
    }

    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
};

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kWriteTimeout{30};

// The reference server's error answers.
enum class Failure { unknown_transport = 0, unknown_sid = 1, bad_handshake_method = 2, bad_request = 3, unsupported_version = 5 };

const char* failure_message(Failure failure) {
    switch (failure) {
        case Failure::unknown_transport: return "Transport unknown";
        case Failure::unknown_sid: return "Session ID unknown";
        case Failure::bad_handshake_method: return "Bad handshake method";
        case Failure::bad_request: return "Bad request";
        case Failure::unsupported_version: return "Unsupported protocol version";
    }
    return "Bad request";
}

struct Query {
    std::optional<std::string> eio, transport, sid;
};

std::optional<Query> parse_query(std::string_view target) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    Query query;
    for (const auto& param : url->params()) {
        if (param.key == "EIO" && !query.eio) query.eio = param.value;
        if (param.key == "transport" && !query.transport) query.transport = param.value;
        if (param.key == "sid" && !query.sid) query.sid = param.value;
    }
    return query;
}

// A request over HTTP being answered: its connection's stream, the request, and the
// headers every answer to it carries (CORS, for a web app served elsewhere).
struct Exchange {
    beast::tcp_stream& stream;
    const Request& request;
    http::HeaderList headers;
};

asio::awaitable<http::Disposition> reply(Exchange& ex, bhttp::status status, const char* content_type,
                                         std::string body) {
    bhttp::response<bhttp::string_body> response{status, ex.request.version()};
    response.set(bhttp::field::server, "flowd");
    response.set(bhttp::field::content_type, content_type);
    for (const auto& [name, value] : ex.headers) response.set(name, value);
    response.keep_alive(ex.request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    ex.stream.expires_after(kWriteTimeout);
    auto [ec, written] = co_await bhttp::async_write(ex.stream, response, kTuple);
    co_return ec || !response.keep_alive() ? http::Disposition::close : http::Disposition::keep_alive;
}

asio::awaitable<http::Disposition> fail(Exchange& ex, Failure failure) {
    std::string body = R"({"code":)" + std::to_string(static_cast<int>(failure)) + R"(,"message":")" +
                       failure_message(failure) + "\"}";
    co_return co_await reply(ex, bhttp::status::bad_request, "application/json", std::move(body));
}

// Whether the calling coroutine runs on the session's strand already: a session opened
// on a WebSocket lives on its connection's strand, so its reads and writes need no hop.
asio::awaitable<bool> on_session_strand(const std::shared_ptr<Session>& session) {
    co_return (co_await asio::this_coro::executor) == session->strand();
}

// The 101 answer to a WebSocket upgrade; nullopt for a bad one.
std::optional<std::string> handshake_of(const Request& request) {
    return net::websocket::accept_response(request[bhttp::field::sec_websocket_key],
                                           request[bhttp::field::sec_websocket_version]);
}

// Frees what the upgrade request holds, which is not needed for the WebSocket's life.
void release(Request& request) { request = {}; }

// Runs `task` on the session's strand and hands back its result.
template <class Task>
asio::awaitable<std::invoke_result_t<Task&>> on_strand(const std::shared_ptr<Session>& session, Task task) {
    using Value = std::invoke_result_t<Task&>;
    const bool here = co_await on_session_strand(session);
    if constexpr (std::is_void_v<Value>) {
        if (here) {
            task();
            co_return;
        }
        co_await asio::co_spawn(session->strand(), [&task]() -> asio::awaitable<void> { task(); co_return; },
                                asio::use_awaitable);
    } else {
        if (here) co_return task();
        co_return co_await asio::co_spawn(session->strand(), [&task]() -> asio::awaitable<Value> { co_return task(); },
                                          asio::use_awaitable);
    }
}

asio::awaitable<http::Disposition> answer_poll(Exchange& ex, std::shared_ptr<Session> session) {
    // A long poll waits as long as the session has nothing to say; the heartbeat bounds it.
    ex.stream.expires_never();
    const auto drain = co_await asio::co_spawn(session->strand(), session->poll(), asio::use_awaitable);
    if (drain.refusal != Refusal::none)
        co_return co_await fail(ex, drain.refusal == Refusal::unknown_sid ? Failure::unknown_sid : Failure::bad_request);
    std::string payload;
    for (const auto& packet : drain.packets)
        append_to_payload(payload, packet.type, packet.data ? std::string_view(*packet.data) : std::string_view(),
                               packet.binary);
    co_return co_await reply(ex, bhttp::status::ok, "text/plain; charset=UTF-8", std::move(payload));
}

// The WebSocket transport of one session, over the connection core: the session's
// packets are framed onto the connection as they come (PacketSink), and what the client
// sends is decoded and handed to the session. Lives on the connection's executor; the
// session's strand is that same one for a session opened over WebSocket, a strand of its
// own for one upgraded from polling. Owned by the connection until it closes, and by the
// session while it is its sink.
class WebSocketTransport final : public net::websocket::Handler,
                                 public PacketSink,
                                 public std::enable_shared_from_this<WebSocketTransport> {
public:
    using Connection = net::websocket::Connection;

    WebSocketTransport(std::shared_ptr<Connection> connection, std::shared_ptr<Session> session, bool probing)
        : connection_(std::move(connection)), session_(session), strand_(session->strand()),
          probe_(probing ? Probe::waiting : Probe::none) {}

    // Answers the upgrade and serves the connection; a probing one for `upgrade_timeout`
    // at most until the client completes the upgrade. On the connection's executor.
    void start(std::string handshake, std::chrono::milliseconds upgrade_timeout) {
        connection_->start(std::move(handshake), shared_from_this());
        if (probe_ == Probe::none) return;
        probe_timer_ = std::make_unique<asio::steady_timer>(connection_->executor(), upgrade_timeout);
        probe_timer_->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            if (auto self = weak.lock(); self && !ec && self->probe_ != Probe::none) self->give_up_upgrade();
        });
    }

    // net::websocket::Handler, on the connection's executor.
    void on_message(std::string_view data, bool binary) override {
        if (probe_ != Probe::none) return probe(data, binary);
        Packet packet{PacketType::message, std::string(data), true};
        if (!binary) {
            auto decoded = decode_text(data);
            if (!decoded) return on_session([](Session& session) { session.transport_closed("parse error"); });
            packet = std::move(*decoded);
        }
        on_session([packet = std::move(packet)](Session& session) mutable { session.receive(std::move(packet)); });
    }

    void on_close(std::string_view reason) override {
        if (probe_ != Probe::none) return give_up_upgrade();
        // The session's own words for a connection that broke.
        const std::string_view why = reason == "transport close" || reason == "slow consumer" || reason == "server close"
                                         ? reason
                                         : std::string_view("transport error");
        on_session([why](Session& session) { session.transport_closed(why); });
    }

    // PacketSink, on the session's strand.
    void deliver(Drain drain) override {
        asio::dispatch(connection_->executor(), [connection = connection_, drain = std::move(drain)] {
            for (const auto& packet : drain.packets) {
                if (packet.binary) {
                    connection->send(packet.data, true);
                    continue;
                }
                const char type = static_cast<char>('0' + static_cast<int>(packet.type));
                connection->send(packet.data ? packet.data : empty(), false, {&type, 1});
            }
            if (drain.last) connection->close(1000, "");
        });
    }

    void deliver_state(const std::string& key, QueuedPacket packet) override {
        asio::dispatch(connection_->executor(), [connection = connection_, key, data = std::move(packet.data)] {
            connection->send_state(key, data, "4");
        });
    }

    void when_below(std::size_t bytes, std::function<void()> task) override {
        asio::dispatch(connection_->executor(), [connection = connection_, strand = strand_, bytes, task = std::move(task)]() mutable {
            connection->when_queue_below(bytes, [strand, task = std::move(task)]() mutable {
                asio::dispatch(strand, std::move(task));
            });
        });
    }

private:
    enum class Probe { none, waiting, probed };

    static const std::shared_ptr<const std::string>& empty() {
        static const auto nothing = std::make_shared<const std::string>();
        return nothing;
    }

    // Runs `task` with the session on its strand (at once when that is this connection's).
    template <class Task>
    void on_session(Task task) {
        asio::dispatch(strand_, [weak = session_, task = std::move(task)]() mutable {
            if (auto session = weak.lock()) task(*session);
        });
    }

    // The upgrade of a polling session: "2probe" → "3probe", then "5" makes this its
    // transport. Anything else, or nothing in time, and the WebSocket closes.
    void probe(std::string_view data, bool binary) {
        static const auto probe_payload = std::make_shared<const std::string>("probe");
        if (!binary && data == "2probe" && probe_ == Probe::waiting) {
            connection_->send(probe_payload, false, "3");
            probe_ = Probe::probed;
            on_session([](Session& session) { session.probe(); });
            return;
        }
        if (!binary && data == "5" && probe_ == Probe::probed) {
            probe_ = Probe::none;
            probe_timer_.reset();
            on_session([self = shared_from_this()](Session& session) {
                if (!session.finish_upgrade() || !session.attach(self))
                    asio::dispatch(self->connection_->executor(), [self] { self->connection_->close(1000, ""); });
            });
            return;
        }
        give_up_upgrade();
    }

    void give_up_upgrade() {
        probe_ = Probe::none;
        probe_timer_.reset();
        on_session([](Session& session) { session.release_upgrade(); });
        connection_->close(1000, "");
    }

    std::shared_ptr<Connection> connection_;
    // Weak: the session holds this transport as its sink until it finishes, and the
    // registry holds the session.
    std::weak_ptr<Session> session_;
    boost::asio::any_io_executor strand_;  // the session's
    Probe probe_;
    std::unique_ptr<asio::steady_timer> probe_timer_;  // only while probing
};

}  // namespace

EngineIoServer::EngineIoServer(asio::any_io_executor executor, net::DeadlineSweep& deadlines, EngineIoOptions options,
                               OpenHandler on_open)
    : executor_(std::move(executor)),
      deadlines_(deadlines),
      options_(options),
      on_open_(std::move(on_open)),
      registry_(std::make_shared<Registry>()) {}

EngineIoServer::~EngineIoServer() = default;

http::Mount EngineIoServer::mount() {
    return [this](http::OwnedConnection& connection, Request& request) { return handle(connection, request); };
}

void EngineIoServer::close_all() {
    std::vector<std::shared_ptr<Session>> sessions;
    {
        std::lock_guard lock(registry_->mutex);
        for (const auto& [sid, session] : registry_->sessions) sessions.push_back(session);
    }
    for (const auto& session : sessions) session->close();
}

std::size_t EngineIoServer::session_count() const {
    std::lock_guard lock(registry_->mutex);
    return registry_->sessions.size();
}

std::shared_ptr<net::websocket::Connection> EngineIoServer::take_connection(http::OwnedConnection& connection) {
    net::websocket::Options options;
    options.max_message_bytes = static_cast<std::uint32_t>(options_.max_payload);
    options.max_outbound_bytes = options_.max_queued_bytes;
    options.idle_timeout = std::chrono::seconds(0);  // Engine.IO's heartbeat watches the client
    auto [socket, counted] = connection->take_socket();
    connection.reset();
    return std::make_shared<net::websocket::Connection>(std::move(socket), deadlines_, options, std::move(counted));
}

std::shared_ptr<Session> EngineIoServer::create_session(asio::any_io_executor strand,
                                                        const std::string& client_address, bool websocket) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    auto session = std::make_shared<Session>(
        std::move(strand), deadlines_, options_, new_id(now.count()), client_address,
        websocket ? Transport::websocket : Transport::polling,
        [weak = std::weak_ptr<Registry>(registry_)](const std::string& sid) {
            if (auto registry = weak.lock()) {
                std::lock_guard lock(registry->mutex);
                registry->sessions.erase(sid);
            }
        });
    std::lock_guard lock(registry_->mutex);
    registry_->sessions.emplace(session->sid(), session);
    return session;
}

asio::awaitable<http::Disposition> EngineIoServer::handle(http::OwnedConnection& connection, Request& request) {
    Exchange ex{connection->stream, request, options_.cors.answer_headers(request[bhttp::field::origin])};
    const auto query = parse_query(request.target());
    if (!query) co_return co_await fail(ex, Failure::bad_request);
    if (query->transport != "polling" && query->transport != "websocket")
        co_return co_await fail(ex, Failure::unknown_transport);
    if (query->eio != "4") co_return co_await fail(ex, Failure::unsupported_version);
    const bool websocket = query->transport == "websocket";
    if (websocket && !websocket::is_upgrade(request)) co_return co_await fail(ex, Failure::bad_request);

    if (!query->sid) {
        if (request.method() != bhttp::verb::get) co_return co_await fail(ex, Failure::bad_handshake_method);
        if (websocket) {
            auto handshake = handshake_of(request);
            if (!handshake) co_return co_await fail(ex, Failure::bad_request);
            release(request);
            const auto client_address = connection->client_address;
            auto socket = take_connection(connection);
            auto session = create_session(socket->executor(), client_address, true);
            auto transport = std::make_shared<WebSocketTransport>(socket, session, false);
            transport->start(std::move(*handshake), options_.upgrade_timeout);
            session->open(on_open_);  // on the connection's strand, the session's
            session->attach(transport);
            co_return http::Disposition::close;
        }
        auto session = create_session(asio::make_strand(executor_), connection->client_address, false);
        co_await on_strand(session, [&] { session->open(on_open_); });
        co_return co_await answer_poll(ex, session);
    }

    auto session = registry_->find(*query->sid);
    if (!session) co_return co_await fail(ex, Failure::unknown_sid);

    if (websocket) {
        auto handshake = handshake_of(request);
        if (!handshake) co_return co_await fail(ex, Failure::bad_request);
        if (!co_await on_strand(session, [&session] { return session->claim_upgrade(); }))
            co_return co_await fail(ex, Failure::bad_request);
        release(request);
        auto transport = std::make_shared<WebSocketTransport>(take_connection(connection), session, true);
        transport->start(std::move(*handshake), options_.upgrade_timeout);
        co_return http::Disposition::close;
    }

    if (request.method() == bhttp::verb::get) co_return co_await answer_poll(ex, session);
    if (request.method() != bhttp::verb::post) co_return co_await fail(ex, Failure::bad_request);
    if (request.body().size() > options_.max_payload) {
        co_await on_strand(session, [&session] { session->reject_oversized(); });
        co_return co_await reply(ex, bhttp::status::payload_too_large, "text/plain; charset=UTF-8", "");
    }
    const auto refusal = co_await on_strand(session, [&] { return session->post(request.body()); });
    if (refusal != Refusal::none)
        co_return co_await fail(ex, refusal == Refusal::unknown_sid ? Failure::unknown_sid : Failure::bad_request);
    co_return co_await reply(ex, bhttp::status::ok, "text/plain; charset=UTF-8", "ok");
}

}  // namespace flow::realtime::engineio
