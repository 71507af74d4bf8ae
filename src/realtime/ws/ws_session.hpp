#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "net/websocket/connection.hpp"
#include "realtime/context.hpp"
#include "realtime/device_events.hpp"
#include "realtime/device_session.hpp"

namespace flow::realtime::ws {

// One /ws connection of a signed-in device: Flow's plain WebSocket protocol, each text
// message a JSON object `{"event", "data"?, "ack"?}` (replies `{"ack", "data"}`, server
// events `{"event", "data"}`), over a net::websocket::Connection. What the device sends
// goes through DeviceEvents, in order; reading pauses while many events wait to start.
// Lives on the connection's executor, owned by the connection until it closes.
class WsSession final : public net::websocket::Handler,
                        public DeviceSession::Outlet,
                        public std::enable_shared_from_this<WsSession> {
public:
    WsSession(std::shared_ptr<net::websocket::Connection> connection, Context& context, Caller caller,
              SocketQuota::Slot slot);

    // Answers the upgrade with `handshake` (the 101) and serves the device.
    void start(std::string handshake);

    void on_message(std::string_view data, bool binary) override;
    void on_close(std::string_view reason) override;

    // DeviceSession::Outlet: the device's frames go to the connection.
    void send(std::shared_ptr<const std::string> frame) override;
    void send_state(const std::string& key, std::shared_ptr<const std::string> frame) override;
    void close() override;
    void after_room(std::function<void()> callback) override;

private:
    void send_error(const Error& error);
    // Goes on reading once few of the device's events wait.
    void resume_when_caught_up();

    std::shared_ptr<net::websocket::Connection> connection_;  // until it closes
    Context& context_;
    const Caller caller_;
    SocketQuota::Slot slot_;  // the socket's place in its device's quota
    std::shared_ptr<DeviceSession> device_;
    std::shared_ptr<DeviceEvents> events_;  // from the first event on: an idle device has none
    bool paused_ = false;
};

}  // namespace flow::realtime::ws
