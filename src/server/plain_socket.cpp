#include "server/plain_socket.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <future>

#include "http/router.hpp"
#include "realtime/device_session.hpp"
#include "realtime/engineio/engine_socket.hpp"
#include "realtime/latest_states.hpp"
#include "server/beast_response.hpp"
#include "server/blocking_pool.hpp"
#include "wire/client_frame.hpp"

namespace flow::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using Request = bhttp::request<bhttp::string_body>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The token of a /ws request: the Authorization header, else `?token=`.
std::string token_of(const Request& request) {
    if (auto token = http::bearer_token(request[bhttp::field::authorization]); !token.empty()) return token;
    if (auto url = boost::urls::parse_origin_form(request.target())) {
        auto it = url->params().find("token");
        if (it != url->params().end()) return (*it).value;
    }
    return {};
}

asio::awaitable<void> refuse(beast::tcp_stream& stream, const Request& request, Error error) {
    auto response = to_beast(http::Response::error(error), request.version(), false);
    co_await bhttp::async_write(stream, response, kTuple);
}

// One /ws connection of a signed-in device: reads client events one at a time (so a
// device's sends are handled in the order it made them) and writes from one bounded
// queue. All on the connection's strand.
class PlainSocket : public std::enable_shared_from_this<PlainSocket> {
public:
    PlainSocket(OwnedConnection connection, realtime::Context& context, Caller caller,
                realtime::SocketQuota::Slot slot)
        : connection_(std::move(connection)), ws_(connection_->stream), context_(context),
          caller_(std::move(caller)), slot_(std::move(slot)), wake_(ws_.get_executor()) {}

    // Serves the socket to its end apart from the HTTP server's coroutine for the
    // connection, which then ends (see OwnedConnection).
    static void serve_apart(std::shared_ptr<PlainSocket> socket, Request request) {
        auto executor = socket->ws_.get_executor();
        asio::co_spawn(executor, serve(std::move(socket), std::move(request)), log_if_failed);
    }

private:
    static asio::awaitable<void> serve(std::shared_ptr<PlainSocket> self, Request request) {
        co_await self->run(std::move(request));
    }

    asio::awaitable<void> run(Request request) {
        websocket::stream_base::timeout timeout{std::chrono::seconds(10), context_.idle_timeout, true};
        ws_.set_option(timeout);
        ws_.read_message_max(context_.max_frame_bytes);
        beast::get_lowest_layer(ws_).expires_never();

        auto weak = weak_from_this();
        device_ = std::make_shared<realtime::DeviceSession>(
            caller_, realtime::WireFormat::plain, ws_.get_executor(), context_.blocking, context_.messages,
            realtime::DeviceSession::Outlet{
                [weak](std::shared_ptr<const std::string> frame) {
                    if (auto self = weak.lock()) self->enqueue(std::move(frame));
                },
                [weak](const std::string& key, std::shared_ptr<const std::string> frame) {
                    if (auto self = weak.lock()) self->put_state(key, std::move(frame));
                },
                [weak] {
                    if (auto self = weak.lock()) self->close_when_flushed();
                },
                [weak](std::function<void()> callback) {
                    if (auto self = weak.lock()) self->after_room(std::move(callback));
                }});
        // Attached before the handshake completes, so that no event published once the
        // client sees the socket open can miss it (frames wait in the queue meanwhile).
        const bool first = context_.hub.attach(device_);
        auto [ec] = co_await ws_.async_accept(request, kTuple);
        request = {};  // not needed for the socket's life
        if (!ec) {
            if (first)
                asio::post(context_.blocking, [&presence = context_.presence, user = caller_.user_id] { presence.online(user); });
            device_->start();
            asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), asio::detached);
            co_await read_loop();
        }

        device_->stop();
        if (context_.hub.detach(*device_) && !ec)
            asio::post(context_.blocking, [&presence = context_.presence, user = caller_.user_id] { presence.offline(user); });
        slot_.release();
        open_ = false;
        wake_.cancel();
    }

    asio::awaitable<void> read_loop() {
        beast::flat_buffer buffer;
        for (;;) {
            auto [ec, bytes] = co_await ws_.async_read(buffer, kTuple);
            if (ec) break;
            if (!ws_.got_text()) {
                send_error(Error::invalid("invalid_frame", "frames are JSON text"));
                buffer.consume(buffer.size());
                continue;
            }
            const std::string text = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            co_await handle(text);
        }
    }

    asio::awaitable<void> handle(const std::string& text) {
        auto frame = wire::read_client_frame(text);
        if (!frame) {
            send_error(frame.error());
            co_return;
        }
        const std::string& name = frame->event;
        const boost::json::value& payload = frame->data;
        // One event at a time: the next frame is read once this one is answered.
        auto result = co_await offload(context_.blocking, [this, &name, &payload] {
            std::promise<Result<boost::json::value>> answered;
            context_.gateway.handle(*device_, name, payload, [&answered](Result<boost::json::value> result) {
                answered.set_value(std::move(result));
            });
            return answered.get_future().get();
        });
        if (frame->ack) {
            boost::json::object reply{{"ack", *frame->ack}};
            reply["data"] = result ? std::move(*result) : realtime::error_json(result.error());
            enqueue(std::make_shared<const std::string>(boost::json::serialize(reply)));
        } else if (!result) {
            send_error(result.error());
        }
    }

    void send_error(const Error& error) {
        enqueue(std::make_shared<const std::string>(
            realtime::frame_event(realtime::WireFormat::plain, "error",
                                  boost::json::serialize(realtime::error_json(error)))));
    }

    // Typing and presence: the latest of each key goes with the next write, dropped when
    // the queue is behind, as Engine.IO sessions do, and not counted against the bound.
    void put_state(const std::string& key, std::shared_ptr<const std::string> frame) {
        if (!open_ || queued_bytes_ > realtime::engineio::kStatesQueueBytes) return;
        if (states_.put(key, std::move(frame))) wake_.cancel();
    }

    void enqueue(std::shared_ptr<const std::string> frame) {
        if (!open_) return;
        queued_bytes_ += frame->size();
        queue_.push_back(std::move(frame));
        if (queued_bytes_ > context_.max_outbound_bytes) {
            // A reader this slow would hold ever more memory: drop it; it catches up
            // from storage when it reconnects.
            spdlog::info("ws: dropping a slow device of user {} ({} bytes queued)", caller_.user_id, queued_bytes_);
            open_ = false;
            beast::get_lowest_layer(ws_).socket().close();
            return;
        }
        wake_.cancel();
    }

    // Queued bytes under which a catch-up may go on.
    std::size_t room_bytes() const { return context_.max_outbound_bytes / 2; }

    void after_room(std::function<void()> callback) {
        if (queued_bytes_ <= room_bytes()) return callback();
        drained_.push_back(std::move(callback));
    }

    void close_when_flushed() {
        closing_ = true;
        wake_.cancel();
    }

    asio::awaitable<bool> write(const std::string& frame) {
        ws_.text(true);
        auto [ec, bytes] = co_await ws_.async_write(asio::buffer(frame), kTuple);
        co_return !ec;
    }

    static asio::awaitable<void> write_loop(std::shared_ptr<PlainSocket> self) {
        std::vector<std::shared_ptr<const std::string>> states;
        while (self->open_) {
            if (!self->states_.empty()) {
                self->states_.take_into(states);
                bool written = true;
                for (const auto& frame : states)
                    if (written) written = co_await self->write(*frame);
                states.clear();
                if (!written) break;
                continue;
            }
            if (self->queue_.empty()) {
                if (self->closing_) {
                    co_await self->ws_.async_close({websocket::close_code::policy_error, "signed out"}, kTuple);
                    break;
                }
                self->wake_.expires_at(asio::steady_timer::time_point::max());
                co_await self->wake_.async_wait(kTuple);
                continue;
            }
            auto frame = self->queue_.front();
            if (!co_await self->write(*frame)) break;
            self->queued_bytes_ -= frame->size();
            self->queue_.pop_front();
            if (self->queued_bytes_ <= self->room_bytes()) {
                auto drained = std::move(self->drained_);
                self->drained_.clear();
                for (auto& callback : drained) callback();
            }
        }
        self->queue_.clear();
        self->states_.clear();
    }

    OwnedConnection connection_;  // first, so that the WebSocket over it goes before it
    websocket::stream<beast::tcp_stream&> ws_;
    realtime::Context& context_;
    Caller caller_;
    realtime::SocketQuota::Slot slot_;  // the socket's place in its device's quota
    asio::steady_timer wake_;
    std::shared_ptr<realtime::DeviceSession> device_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    realtime::LatestStates<std::shared_ptr<const std::string>> states_;  // typing, presence
    std::vector<std::function<void()>> drained_;  // catch-ups waiting for the queue to drain
    bool open_ = true;
    bool closing_ = false;
};

}  // namespace

Mount plain_socket_mount(realtime::Context& context) {
    return [&context](OwnedConnection& connection, Request& request) -> asio::awaitable<Disposition> {
        auto& stream = connection->stream;
        if (!websocket::is_upgrade(request)) {
            auto error = Error::invalid("not_websocket", "connect with a WebSocket");
            co_await refuse(stream, request, std::move(error));
            co_return Disposition::close;
        }
        const auto token = token_of(request);
        auto caller = co_await offload(context.blocking, [&] {
            return token.empty() ? Result<Caller>(Error::unauthorized("unauthorized", "sign in first"))
                                 : context.auth.authenticate(token);
        });
        if (!caller) {
            auto error = caller.error();
            co_await refuse(stream, request, std::move(error));
            co_return Disposition::close;
        }
        // A device past its quota of sockets is refused before the upgrade, with 429.
        auto slot = context.quota.acquire(caller->session_id);
        if (!slot) {
            co_await refuse(stream, request, realtime::Context::too_many_sockets());
            co_return Disposition::close;
        }
        PlainSocket::serve_apart(
            std::make_shared<PlainSocket>(std::move(connection), context, std::move(*caller), std::move(*slot)),
            std::move(request));
        co_return Disposition::close;
    };
}

}  // namespace flow::server
