#include "realtime/socketio_transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <condition_variable>
#include <mutex>

#include "realtime/device_session.hpp"

namespace flow::realtime {

namespace asio = boost::asio;
using socketio::SocketPtr;

namespace {

using BlockingStrand = asio::strand<asio::thread_pool::executor_type>;

// Events of one device not yet answered (sends waiting for storage). The next event waits
// while there are this many, so that one device cannot fill storage's queue ahead of
// everyone else's.
constexpr int kEventsInFlight = 64;

// What a Socket.IO socket keeps of its signed-in device. Its events start one after
// another on a strand of the blocking pool, so a device's sends keep their order; a send
// does not wait for storage before the next event starts, up to kEventsInFlight. An event
// that waits on nothing (a text message) starts right on the I/O thread when no earlier
// one is still to start on the strand.
struct Device {
    Device(Caller caller, BlockingStrand events, SocketQuota::Slot slot)
        : caller(std::move(caller)), events(std::move(events)), slot(std::move(slot)) {}

    // On the I/O thread: takes a place in flight for an event that can start there.
    bool try_start_here() {
        std::lock_guard lock(mutex);
        if (to_start > 0 || in_flight >= kEventsInFlight) return false;
        ++in_flight;
        return true;
    }
    // On the I/O thread, before posting an event to the strand.
    void queue_on_strand() {
        std::lock_guard lock(mutex);
        ++to_start;
    }
    // On the strand: waits for room for one more event in flight.
    void start_on_strand() {
        std::unique_lock lock(mutex);
        room.wait(lock, [this] { return in_flight < kEventsInFlight; });
        ++in_flight;
    }
    // On the strand, once the event has started (a send is queued for storage).
    void started_on_strand() {
        std::lock_guard lock(mutex);
        --to_start;
    }
    void end_event() {
        {
            std::lock_guard lock(mutex);
            --in_flight;
        }
        room.notify_one();
    }

    const Caller caller;
    BlockingStrand events;
    std::shared_ptr<DeviceSession> session;
    SocketQuota::Slot slot;  // the socket's place in its device's quota
    std::mutex mutex;
    std::condition_variable room;
    int in_flight = 0;  // started and not answered
    int to_start = 0;   // posted to the strand and not started
};

// Runs the event; its ack (when asked for) once answered.
void run_event(Context& context, const std::shared_ptr<Device>& device, const std::string& event,
               const boost::json::value& data, socketio::Ack ack) {
    context.gateway.handle(*device->session, event, data, [device, ack = std::move(ack)](Result<boost::json::value> result) {
        device->end_event();
        if (!ack) return;
        socketio::Args reply;
        reply.values.push_back(result ? std::move(*result) : error_json(result.error()));
        ack(std::move(reply));
    });
}

std::string token_of(const boost::json::value& auth) {
    const auto* object = auth.if_object();
    const auto* token = object ? object->if_contains("token") : nullptr;
    return token && token->is_string() ? std::string(token->as_string()) : std::string();
}

}  // namespace

void serve_socketio(socketio::Namespace& nsp, Context& context, asio::any_io_executor executor) {
    nsp.on_connect([&context](const SocketPtr& socket, socketio::ConnectCallback done) {
        const auto token = token_of(socket->auth());
        if (token.empty()) return done(Error::unauthorized("unauthorized", "unauthorized"));
        asio::post(context.blocking, [&context, socket, token, done = std::move(done)] {
            auto caller = context.auth.authenticate(token);
            if (!caller) return done(caller.error());
            auto slot = context.quota.acquire(caller->session_id);
            if (!slot) return done(Context::too_many_sockets());
            socket->set_data(std::make_shared<Device>(std::move(*caller), asio::make_strand(context.blocking.get_executor()),
                                                      std::move(*slot)));
            done(Ok{});
        });
    });

    nsp.on_connection([&context, executor](const SocketPtr& socket) {
        auto device = socket->data<Device>();
        std::weak_ptr<socketio::Socket> weak = socket;
        device->session = std::make_shared<DeviceSession>(
            device->caller, WireFormat::socketio, asio::make_strand(executor), context.blocking,
            context.messages,
            DeviceSession::Outlet{
                [weak](std::shared_ptr<const std::string> frame) {
                    if (auto socket = weak.lock()) socket->send({std::move(frame), {}});
                },
                [weak](const std::string& key, std::shared_ptr<const std::string> frame) {
                    if (auto socket = weak.lock()) socket->send_state(key, {std::move(frame), {}});
                },
                [weak] {
                    if (auto socket = weak.lock()) socket->disconnect("signed out", true);
                },
                [weak, room = context.max_outbound_bytes / 2](std::function<void()> callback) {
                    if (auto socket = weak.lock()) socket->when_queue_below(room, std::move(callback));
                }});
        if (context.hub.attach(device->session))
            asio::post(context.blocking, [&context, user = device->caller.user_id] { context.presence.online(user); });
        device->session->start();
    });

    nsp.on_any([&context](const SocketPtr& socket, const std::string& event, socketio::Args args,
                          socketio::Ack ack) {
        auto device = socket->data<Device>();
        if (!device || !device->session) return;
        boost::json::value data = args.values.empty() ? boost::json::value(boost::json::object{})
                                                      : std::move(args.values[0]);
        if (context.gateway.waits_on_nothing(event, data) && device->try_start_here())
            return run_event(context, device, event, data, std::move(ack));
        device->queue_on_strand();
        asio::post(device->events, [&context, device, event, data = std::move(data), ack = std::move(ack)]() mutable {
            device->start_on_strand();
            run_event(context, device, event, data, std::move(ack));
            device->started_on_strand();
        });
    });

    nsp.on_disconnect([&context](const SocketPtr& socket, std::string_view) {
        auto device = socket->data<Device>();
        if (!device) return;
        device->slot.release();
        if (!device->session) return;
        device->session->stop();
        if (context.hub.detach(*device->session))
            asio::post(context.blocking, [&context, user = device->caller.user_id] { context.presence.offline(user); });
    });
}

}  // namespace flow::realtime
