#include "realtime/socketio_transport.hpp"

#include <boost/asio/post.hpp>

#include "realtime/device_events.hpp"
#include "realtime/device_session.hpp"
#include "realtime/socket_log.hpp"

namespace flow::realtime {

namespace asio = boost::asio;
using socketio::SocketPtr;

namespace {

// What a Socket.IO socket keeps of its signed-in device; where the device's frames go.
struct Device final : DeviceSession::Outlet {
    Device(Caller caller, SocketQuota::Slot slot, std::weak_ptr<socketio::Socket> socket, std::size_t room)
        : caller(std::move(caller)), slot(std::move(slot)), socket(std::move(socket)), room(room) {}

    void send(std::shared_ptr<const std::string> frame) override {
        if (auto s = socket.lock()) s->send({std::move(frame), {}});
    }
    void send_state(const std::string& key, std::shared_ptr<const std::string> frame) override {
        if (auto s = socket.lock()) s->send_state(key, {std::move(frame), {}});
    }
    void close() override {
        if (auto s = socket.lock()) s->disconnect("signed out", true);
    }
    void after_room(std::function<void()> callback) override {
        if (auto s = socket.lock()) s->when_queue_below(room, std::move(callback));
    }

    Caller caller;           // until the session takes it
    SocketQuota::Slot slot;  // the socket's place in its device's quota
    const std::weak_ptr<socketio::Socket> socket;
    const std::size_t room;  // queued bytes under which catching up goes on
    std::shared_ptr<DeviceSession> session;
    std::shared_ptr<DeviceEvents> events;  // what the device sends, from its first event on
};

std::string token_of(const boost::json::value& auth) {
    const auto* object = auth.if_object();
    const auto* token = object ? object->if_contains("token") : nullptr;
    return token && token->is_string() ? std::string(token->as_string()) : std::string();
}

}  // namespace

void serve_socketio(socketio::Namespace& nsp, Context& context) {
    nsp.on_connect([&context](const SocketPtr& socket, socketio::ConnectCallback done) {
        const auto token = token_of(socket->auth());
        if (token.empty()) return done(Error::unauthorized("unauthorized", "unauthorized"));
        asio::post(context.blocking, [&context, socket, token, done = std::move(done)] {
            auto caller = context.auth.authenticate(token);
            if (!caller) return done(caller.error());
            auto slot = context.quota.acquire(caller->session_id);
            if (!slot) return done(Context::too_many_sockets());
            socket->set_data(std::make_shared<Device>(std::move(*caller), std::move(*slot), socket,
                                                      context.catch_up_room()));
            done(Ok{});
        });
    });

    nsp.on_connection([&context](const SocketPtr& socket) {
        auto device = socket->data<Device>();
        auto strand = socket->executor();  // the connection's: deliveries take no hop
        if (!strand) return;
        device->session = std::make_shared<DeviceSession>(std::move(device->caller), WireFormat::socketio,
                                                          std::move(strand), context.blocking, context.messages,
                                                          device);
        log_socket_opened("socket.io", device->session->caller());
        if (const auto attached = context.hub.attach(device->session); attached.device)
            asio::post(context.blocking, [&context, caller = device->session->caller(), first = attached.user] {
                context.presence.connected(caller, first);
            });
        device->session->start();
    });

    nsp.on_any([&context](const SocketPtr& socket, const std::string& event, socketio::Args args,
                          socketio::Ack ack) {
        auto device = socket->data<Device>();
        if (!device || !device->session) return;
        boost::json::value data = args.values.empty() ? boost::json::value(boost::json::object{})
                                                      : std::move(args.values[0]);
        if (!device->events) device->events = std::make_shared<DeviceEvents>(context.gateway, context.blocking, device->session);
        device->events->run(event, std::move(data), [ack = std::move(ack)](Result<boost::json::value> result) {
            if (!ack) return;
            socketio::Args reply;
            reply.values.push_back(result ? std::move(*result) : error_json(result.error()));
            ack(std::move(reply));
        });
    });

    nsp.on_disconnect([&context](const SocketPtr& socket, std::string_view reason) {
        auto device = socket->data<Device>();
        if (!device) return;
        device->slot.release();
        if (!device->session) return;
        log_socket_closed("socket.io", device->session->caller(), reason);
        device->session->stop();
        if (const auto detached = context.hub.detach(*device->session); detached.device)
            asio::post(context.blocking, [&context, caller = device->session->caller(), last = detached.user] {
                context.presence.disconnected(caller, last);
            });
    });
}

}  // namespace flow::realtime
