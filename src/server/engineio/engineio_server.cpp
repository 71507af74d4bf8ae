#include "server/engineio/engineio_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include "common/ids.hpp"
#include "server/engineio/session.hpp"

namespace flow::server::engineio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using Request = bhttp::request<bhttp::string_body>;
using WebSocket = websocket::stream<beast::tcp_stream&>;

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
constexpr std::chrono::seconds kWebSocketHandshakeTimeout{10};

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

asio::awaitable<Disposition> reply(beast::tcp_stream& stream, const Request& request, bhttp::status status,
                                   const char* content_type, std::string body) {
    bhttp::response<bhttp::string_body> response{status, request.version()};
    response.set(bhttp::field::server, "flowd");
    response.set(bhttp::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    stream.expires_after(kWriteTimeout);
    auto [ec, written] = co_await bhttp::async_write(stream, response, kTuple);
    co_return ec || !response.keep_alive() ? Disposition::close : Disposition::keep_alive;
}

asio::awaitable<Disposition> fail(beast::tcp_stream& stream, const Request& request, Failure failure) {
    std::string body = R"({"code":)" + std::to_string(static_cast<int>(failure)) + R"(,"message":")" +
                       failure_message(failure) + "\"}";
    co_return co_await reply(stream, request, bhttp::status::bad_request, "application/json", std::move(body));
}

// Whether the calling coroutine runs on the session's strand already: a session opened
// on a WebSocket lives on its connection's strand, so its reads and writes need no hop.
asio::awaitable<bool> on_session_strand(const std::shared_ptr<Session>& session) {
    co_return (co_await asio::this_coro::executor) == session->strand();
}

// While a batch of packets is written, the kernel holds back part-filled TCP segments
// (TCP_CORK): the batch leaves in as few segments, waking the client as few times, as
// its size allows, rather than one per frame. Uncorked, which sends the rest, when done.
class Cork {
public:
    Cork(asio::ip::tcp::socket& socket, bool on) : socket_(on ? &socket : nullptr) { set(1); }
    ~Cork() { set(0); }
    Cork(const Cork&) = delete;
    Cork& operator=(const Cork&) = delete;

private:
    void set(int value) const {
        if (socket_ && socket_->is_open())
            ::setsockopt(socket_->native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
    }
    asio::ip::tcp::socket* socket_;
};

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

asio::awaitable<Disposition> answer_poll(beast::tcp_stream& stream, const Request& request,
                                         std::shared_ptr<Session> session) {
    // A long poll waits as long as the session has nothing to say; the heartbeat bounds it.
    stream.expires_never();
    const auto drain = co_await asio::co_spawn(session->strand(), session->poll(), asio::use_awaitable);
    if (drain.refusal != Refusal::none)
        co_return co_await fail(stream, request,
                                drain.refusal == Refusal::unknown_sid ? Failure::unknown_sid : Failure::bad_request);
    std::string payload;
    for (const auto& packet : drain.packets)
        eio::append_to_payload(payload, packet.type, packet.data ? std::string_view(*packet.data) : std::string_view(),
                               packet.binary);
    co_return co_await reply(stream, request, bhttp::status::ok, "text/plain; charset=UTF-8", std::move(payload));
}

// The WebSocket side of one session, on the connection's strand: a reader handing
// packets to the session and a writer draining the session's queue, until either ends.
class WebSocketTransport {
public:
    WebSocketTransport(beast::tcp_stream& stream, std::shared_ptr<Session> session)
        : ws_(std::make_shared<WebSocket>(stream)), session_(std::move(session)),
          writer_done_(stream.get_executor(), asio::steady_timer::time_point::max()) {}

    asio::awaitable<bool> accept(const Request& request, std::size_t max_payload) {
        beast::get_lowest_layer(*ws_).expires_never();
        ws_->set_option(websocket::stream_base::timeout{kWebSocketHandshakeTimeout, websocket::stream_base::none(), false});
        ws_->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(bhttp::field::server, "flowd"); }));
        ws_->read_message_max(max_payload);
        auto [ec] = co_await ws_->async_accept(request, kTuple);
        co_return !ec;
    }

    void attach(std::shared_ptr<Session> session) { session_ = std::move(session); }

    // The upgrade of a polling session: "2probe" → "3probe", then "5" makes this its
    // transport. False (and the WebSocket closed) when the client does anything else.
    asio::awaitable<bool> probe(std::chrono::milliseconds timeout) {
        auto session = session_;
        beast::get_lowest_layer(*ws_).expires_after(timeout);
        bool probed = false;
        bool upgraded = false;
        for (;;) {
            beast::flat_buffer buffer;
            auto [ec, read] = co_await ws_->async_read(buffer, kTuple);
            if (ec || !ws_->got_text()) break;
            const auto text = beast::buffers_to_string(buffer.data());
            if (text == "2probe") {
                ws_->text(true);
                auto [write_ec, written] = co_await ws_->async_write(asio::buffer("3probe", 6), kTuple);
                if (write_ec) break;
                co_await on_strand(session, [&session] { session->probe(); });
                probed = true;
                continue;
            }
            if (text == "5" && probed) upgraded = co_await on_strand(session, [&session] { return session->finish_upgrade(); });
            break;
        }
        beast::get_lowest_layer(*ws_).expires_never();
        if (upgraded) co_return true;
        co_await on_strand(session, [&session] { session->release_upgrade(); });
        co_await ws_->async_close(websocket::close_code::normal, kTuple);
        co_return false;
    }

    // Serves the WebSocket to its end apart from the HTTP server's coroutine for the
    // connection, which then ends (see OwnedConnection): an idle socket keeps no frames
    // of HTTP's. The transport owns the connection meanwhile.
    static void serve_apart(WebSocketTransport transport, OwnedConnection connection) {
        transport.connection_ = std::move(connection);
        auto executor = transport.ws_->get_executor();
        asio::co_spawn(executor, serve(std::move(transport)), log_if_failed);
    }

private:
    static asio::awaitable<void> serve(WebSocketTransport transport) { co_await transport.run(); }

    asio::awaitable<void> run() {
        auto session = session_;
        // A session that ends while the writer is stuck on a client that does not read
        // closes the socket: posted to this connection's strand, and only if still here.
        // Installed on the session's strand, where finish() reads it: a session upgraded
        // from polling has a strand of its own, not this connection's.
        auto abort = [weak = std::weak_ptr<WebSocket>(ws_), executor = ws_->get_executor()] {
            asio::post(executor, [weak] {
                if (auto ws = weak.lock()) beast::get_lowest_layer(*ws).close();
            });
        };
        co_await on_strand(session, [&session, &abort] { session->on_abort(std::move(abort)); });
        // The writer runs beside the reader (spawned, not joined by an operator, which
        // would keep a frame more per socket); the transport lives until both ended.
        asio::co_spawn(ws_->get_executor(), write_loop(), [this](std::exception_ptr error) {
            if (error) beast::get_lowest_layer(*ws_).close();  // ends the reader too
            writing_ = false;
            writer_done_.cancel();
        });
        co_await read_loop();
        if (writing_) co_await writer_done_.async_wait(kTuple);
    }

    // Reads one whole message. The first read asks for little room: a socket waiting for
    // its next message, as most do most of the time, holds a buffer of 256 bytes rather
    // than Beast's 1.5 KiB; a longer message takes more reads.
    asio::awaitable<beast::error_code> read_message(beast::flat_buffer& buffer) {
        constexpr std::size_t kFirstRead = 256;
        std::size_t limit = kFirstRead;
        do {
            auto [ec, read] = co_await ws_->async_read_some(buffer, limit, kTuple);
            if (ec) co_return ec;
            limit = 0;  // as much as Beast chooses
        } while (!ws_->is_message_done());
        co_return beast::error_code();
    }

    asio::awaitable<void> read_loop() {
        auto session = session_;
        for (;;) {
            beast::flat_buffer buffer;
            const auto ec = co_await read_message(buffer);
            if (ec) {
                const std::string_view reason = ec == websocket::error::closed ? "transport close" : "transport error";
                co_await on_strand(session, [&session, reason] { session->transport_closed(reason); });
                co_return;
            }
            auto data = beast::buffers_to_string(buffer.data());
            eio::Packet packet{eio::PacketType::message, std::move(data), true};
            if (ws_->got_text()) {
                auto decoded = eio::decode_text(packet.data);
                if (!decoded) {
                    // The session closes; the writer then closes the WebSocket and this
                    // loop ends when the close completes.
                    co_await on_strand(session, [&session] { session->transport_closed("parse error"); });
                    continue;
                }
                packet = std::move(*decoded);
            }
            co_await on_strand(session, [&session, &packet] { session->receive(std::move(packet)); });
        }
    }

    asio::awaitable<void> write_loop() {
        auto session = session_;
        const bool inline_strand = co_await on_session_strand(session);
        for (;;) {
            Drain drain;
            if (inline_strand) drain = co_await session->next_batch();
            else drain = co_await asio::co_spawn(session->strand(), session->next_batch(), asio::use_awaitable);
            const Cork cork(beast::get_lowest_layer(*ws_).socket(), drain.packets.size() > 1);
            for (const auto& packet : drain.packets) {
                const char type = static_cast<char>('0' + static_cast<int>(packet.type));
                const auto data = packet.data ? asio::buffer(*packet.data) : asio::const_buffer();
                ws_->text(!packet.binary);
                beast::error_code ec;
                if (packet.binary) {
                    std::tie(ec, std::ignore) = co_await ws_->async_write(data, kTuple);
                } else {
                    const std::array<asio::const_buffer, 2> frame{asio::buffer(&type, 1), data};
                    std::tie(ec, std::ignore) = co_await ws_->async_write(frame, kTuple);
                }
                if (ec) {
                    beast::get_lowest_layer(*ws_).close();  // ends the reader too
                    co_await on_strand(session, [&session] { session->transport_closed("transport error"); });
                    co_return;
                }
            }
            if (drain.last) {
                co_await ws_->async_close(websocket::close_code::normal, kTuple);
                co_return;
            }
        }
    }

    OwnedConnection connection_;  // first, so that the WebSocket over it goes before it
    std::shared_ptr<WebSocket> ws_;
    std::shared_ptr<Session> session_;
    bool writing_ = true;               // until write_loop ends; on the connection's strand
    asio::steady_timer writer_done_;    // cancelled when it does
};

}  // namespace

EngineIoServer::EngineIoServer(asio::any_io_executor executor, EngineIoOptions options, eio::OpenHandler on_open)
    : executor_(std::move(executor)),
      options_(options),
      on_open_(std::move(on_open)),
      registry_(std::make_shared<Registry>()) {}

EngineIoServer::~EngineIoServer() = default;

Mount EngineIoServer::mount() {
    return [this](OwnedConnection& connection, Request& request) { return handle(connection, request); };
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

std::shared_ptr<Session> EngineIoServer::create_session(asio::any_io_executor strand,
                                                        const std::string& client_address, bool websocket) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    auto session = std::make_shared<Session>(
        std::move(strand), options_, new_id(now.count()), client_address,
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

asio::awaitable<Disposition> EngineIoServer::handle(OwnedConnection& connection, Request& request) {
    auto& stream = connection->stream;
    const auto query = parse_query(request.target());
    if (!query) co_return co_await fail(stream, request, Failure::bad_request);
    if (query->transport != "polling" && query->transport != "websocket")
        co_return co_await fail(stream, request, Failure::unknown_transport);
    if (query->eio != "4") co_return co_await fail(stream, request, Failure::unsupported_version);
    const bool websocket = query->transport == "websocket";
    if (websocket && !websocket::is_upgrade(request)) co_return co_await fail(stream, request, Failure::bad_request);

    if (!query->sid) {
        if (request.method() != bhttp::verb::get) co_return co_await fail(stream, request, Failure::bad_handshake_method);
        if (websocket) {
            WebSocketTransport transport(stream, nullptr);
            if (!co_await transport.accept(request, options_.max_payload)) co_return Disposition::close;
            release(request);
            auto session = create_session(stream.get_executor(), connection->client_address, true);
            co_await on_strand(session, [&] { session->open(on_open_); });
            transport.attach(session);
            WebSocketTransport::serve_apart(std::move(transport), std::move(connection));
            co_return Disposition::close;
        }
        auto session = create_session(asio::make_strand(executor_), connection->client_address, false);
        co_await on_strand(session, [&] { session->open(on_open_); });
        co_return co_await answer_poll(stream, request, session);
    }

    auto session = registry_->find(*query->sid);
    if (!session) co_return co_await fail(stream, request, Failure::unknown_sid);

    if (websocket) {
        if (!co_await on_strand(session, [&session] { return session->claim_upgrade(); }))
            co_return co_await fail(stream, request, Failure::bad_request);
        WebSocketTransport transport(stream, session);
        if (!co_await transport.accept(request, options_.max_payload)) {
            co_await on_strand(session, [&session] { session->release_upgrade(); });
            co_return Disposition::close;
        }
        release(request);
        if (co_await transport.probe(options_.upgrade_timeout))
            WebSocketTransport::serve_apart(std::move(transport), std::move(connection));
        co_return Disposition::close;
    }

    if (request.method() == bhttp::verb::get) co_return co_await answer_poll(stream, request, session);
    if (request.method() != bhttp::verb::post) co_return co_await fail(stream, request, Failure::bad_request);
    if (request.body().size() > options_.max_payload) {
        co_await on_strand(session, [&session] { session->reject_oversized(); });
        co_return co_await reply(stream, request, bhttp::status::payload_too_large, "text/plain; charset=UTF-8", "");
    }
    const auto refusal = co_await on_strand(session, [&] { return session->post(request.body()); });
    if (refusal != Refusal::none)
        co_return co_await fail(stream, request, refusal == Refusal::unknown_sid ? Failure::unknown_sid : Failure::bad_request);
    co_return co_await reply(stream, request, bhttp::status::ok, "text/plain; charset=UTF-8", "ok");
}

}  // namespace flow::server::engineio
