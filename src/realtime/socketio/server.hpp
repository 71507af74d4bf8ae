#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "realtime/engineio/engine_socket.hpp"
#include "realtime/socketio/namespace.hpp"
#include "realtime/socketio/packet.hpp"

namespace flow::realtime::socketio {

struct SocketIoOptions {
    // A client that has joined no namespace this long after opening is disconnected.
    std::chrono::milliseconds connect_timeout{45000};
    // The most bytes of binary attachments held for one client while their packet is
    // incomplete (Engine.IO's maxPayload); past it the client is disconnected.
    std::size_t max_attachment_bytes = kMaxAttachmentBytes;
};

// A Socket.IO v5 server over Engine.IO: its namespaces, and the listener it gives each
// Engine.IO session. Set up before serving, then only read; must outlive the
// EngineIoServer it is given to.
//
//   SocketIoServer io;
//   auto& chat = io.of("/");
//   chat.on_connect([](const SocketPtr& socket, ConnectCallback done) { done(Ok{}); });
//   chat.on("message", [](const SocketPtr& socket, const std::string&, Args args, Ack ack) { ... });
//   EngineIoServer engine(executor, options, io.open_handler());
class SocketIoServer {
public:
    explicit SocketIoServer(SocketIoOptions options = {}) : options_(options) {}

    // The namespace called `name`, made on first use.
    Namespace& of(std::string_view name);
    Namespace* find(std::string_view name) const;
    const SocketIoOptions& options() const { return options_; }

    // What EngineIoServer calls for each new session.
    engineio::OpenHandler open_handler();

private:
    SocketIoOptions options_;
    std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces_;
};

}  // namespace flow::realtime::socketio
