#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "realtime/socketio/socket.hpp"

namespace flow::realtime::socketio {

// Accepts (an ok Status) or refuses (an Error: the client gets CONNECT_ERROR with its
// message) a client joining a namespace. Call once, now or later, from any thread.
using ConnectCallback = std::function<void(Status)>;
// Decides on a CONNECT; socket->auth() is what the client sent.
using ConnectHandler = std::function<void(const SocketPtr& socket, ConnectCallback done)>;
using ConnectionHandler = std::function<void(const SocketPtr& socket)>;
using EventHandler = std::function<void(const SocketPtr& socket, const std::string& event, Args args, Ack ack)>;
using DisconnectHandler = std::function<void(const SocketPtr& socket, std::string_view reason)>;

// A Socket.IO namespace ("/", "/custom"): who may join and what happens on each event.
// Handlers are set at start-up, before serving, and run on the strand of the connection
// concerned. It keeps no list of its sockets: who needs one (Flow's hub, by device)
// keeps its own from on_connection and on_disconnect. Owned by the SocketIoServer.
class Namespace {
public:
    explicit Namespace(std::string name) : name_(std::move(name)) {}
    Namespace(const Namespace&) = delete;
    Namespace& operator=(const Namespace&) = delete;

    const std::string& name() const { return name_; }

    // Without a connect handler every client is accepted.
    void on_connect(ConnectHandler handler) { on_connect_ = std::move(handler); }
    // After the client has been told it joined.
    void on_connection(ConnectionHandler handler) { on_connection_ = std::move(handler); }
    void on(std::string event, EventHandler handler) { on_event_[std::move(event)] = std::move(handler); }
    // Events without a handler of their own; without this they are ignored.
    void on_any(EventHandler handler) { on_any_ = std::move(handler); }
    void on_disconnect(DisconnectHandler handler) { on_disconnect_ = std::move(handler); }

    // An event encoded once for every socket of this namespace (Socket::send).
    EncodedPacket encode(std::string_view event, Args args) const { return encode_event(name_, event, std::move(args)); }

private:
    friend class Client;
    friend class Socket;
    void admit(const SocketPtr& socket, ConnectCallback done) const;
    void connected(const SocketPtr& socket) const;
    void event(const SocketPtr& socket, const std::string& name, Args args, Ack ack) const;
    void disconnected(const SocketPtr& socket, std::string_view reason) const;

    const std::string name_;
    ConnectHandler on_connect_;
    ConnectionHandler on_connection_;
    std::unordered_map<std::string, EventHandler> on_event_;
    EventHandler on_any_;
    DisconnectHandler on_disconnect_;
};

}  // namespace flow::realtime::socketio
