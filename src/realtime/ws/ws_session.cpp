#include "realtime/ws/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include "realtime/socket_log.hpp"
#include "wire/client_frame.hpp"

namespace flow::realtime::ws {

namespace asio = boost::asio;

namespace {

// Events waiting to start past which the connection stops reading.
constexpr int kMaxWaiting = 32;

}  // namespace

WsSession::WsSession(std::shared_ptr<net::websocket::Connection> connection, Context& context, Caller caller,
                     SocketQuota::Slot slot)
    : connection_(std::move(connection)), context_(context), caller_(std::move(caller)), slot_(std::move(slot)) {}

void WsSession::start(std::string handshake) {
    device_ = std::make_shared<DeviceSession>(caller_, WireFormat::plain, connection_->executor(), context_.blocking,
                                              context_.messages, weak_from_this());
    // Attached before the 101 leaves, so that no event published once the client sees
    // the socket open can miss it (frames wait in the queue meanwhile).
    const auto attached = context_.hub.attach(device_);
    connection_->start(std::move(handshake), shared_from_this());
    log_socket_opened("ws", caller_);
    if (attached.device)
        asio::post(context_.blocking, [&presence = context_.presence, caller = caller_, first = attached.user] {
            presence.connected(caller, first);
        });
    device_->start();
}

void WsSession::on_message(std::string_view text, bool binary) {
    if (binary) return send_error(Error::invalid("invalid_frame", "frames are JSON text"));
    auto frame = wire::read_client_frame(text);
    if (!frame) return send_error(frame.error());
    if (!events_) events_ = std::make_shared<DeviceEvents>(context_.gateway, context_.blocking, device_);
    events_->run(std::move(frame->event), std::move(frame->data),
                 [self = shared_from_this(), ack = std::move(frame->ack)](Result<boost::json::value> result) mutable {
                     asio::post(self->connection_->executor(), [self, ack = std::move(ack), result = std::move(result)]() mutable {
                         if (ack) {
                             boost::json::object reply{{"ack", std::move(*ack)}};
                             reply["data"] = result ? std::move(*result) : error_json(result.error());
                             self->send(std::make_shared<const std::string>(boost::json::serialize(reply)));
                         } else if (!result) {
                             self->send_error(result.error());
                         }
                         self->resume_when_caught_up();
                     });
                 });
    if (!paused_ && events_->waiting() >= kMaxWaiting) {
        paused_ = true;
        connection_->pause_reading();
    }
}

void WsSession::resume_when_caught_up() {
    if (!paused_ || events_->waiting() >= kMaxWaiting / 2) return;
    paused_ = false;
    connection_->resume_reading();
}

void WsSession::send(std::shared_ptr<const std::string> frame) { connection_->send(std::move(frame)); }

void WsSession::send_state(const std::string& key, std::shared_ptr<const std::string> frame) {
    connection_->send_state(key, std::move(frame));
}

void WsSession::close() { connection_->close(1008, "signed out"); }

void WsSession::after_room(std::function<void()> callback) {
    connection_->when_queue_below(context_.catch_up_room(), std::move(callback));
}

void WsSession::send_error(const Error& error) {
    send(std::make_shared<const std::string>(
        frame_event(WireFormat::plain, "error", boost::json::serialize(error_json(error)))));
}

void WsSession::on_close(std::string_view reason) {
    log_socket_closed("ws", caller_, reason);
    device_->stop();
    if (const auto detached = context_.hub.detach(*device_); detached.device)
        asio::post(context_.blocking, [&presence = context_.presence, caller = caller_, last = detached.user] {
            presence.disconnected(caller, last);
        });
    slot_.release();
}

}  // namespace flow::realtime::ws
