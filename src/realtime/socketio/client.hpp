#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "realtime/engineio/engine_socket.hpp"
#include "realtime/socketio/packet.hpp"
#include "realtime/socketio/socket.hpp"

namespace flow::realtime::socketio {

class SocketIoServer;

// The Socket.IO side of one Engine.IO session: reassembles packets, joins and leaves
// namespaces, routes events and acks to the sockets. Created by the SocketIoServer as
// the session's listener; lives on the session's strand (every method runs there).
class Client final : public engineio::EngineListener, public std::enable_shared_from_this<Client> {
public:
    Client(const SocketIoServer& server, const engineio::EngineSocketPtr& engine);

    // Closes the session unless a namespace has been joined within `timeout`.
    void start(std::chrono::milliseconds connect_timeout);

    void on_message(std::string data, bool binary) override;
    void on_close(std::string_view reason) override;

    // A socket leaving its namespace from the server side.
    void disconnect(const SocketPtr& socket, std::string_view reason, bool close_connection);

private:
    void on_packet(Packet packet);
    std::vector<SocketPtr>::iterator find(std::string_view nsp);
    // Whether the client has joined `nsp`: its CONNECT succeeded.
    bool joined(const std::string& nsp) const;
    void connect(Packet packet);
    void admitted(const SocketPtr& socket, const Status& status);
    // A protocol violation: every socket leaves with `reason`, the session closes.
    void fail(std::string_view reason);
    void send(const Packet& packet) const;

    const SocketIoServer& server_;
    const std::weak_ptr<engineio::EngineSocket> engine_;
    Decoder decoder_;
    // Its sockets, one per namespace joined or joining: mostly one, so a vector.
    std::vector<SocketPtr> sockets_;
    // Cancels the connect timeout once a namespace is joined, so that an idle client
    // keeps no timer.
    std::function<void()> cancel_connect_timeout_;
    bool closed_ = false;
};

}  // namespace flow::realtime::socketio
