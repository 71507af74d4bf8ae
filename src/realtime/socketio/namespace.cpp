#include "realtime/socketio/namespace.hpp"

namespace flow::realtime::socketio {

void Namespace::admit(const SocketPtr& socket, ConnectCallback done) const {
    if (on_connect_)
        on_connect_(socket, std::move(done));
    else
        done(Ok{});
}

void Namespace::connected(const SocketPtr& socket) const {
    if (on_connection_) on_connection_(socket);
}

void Namespace::event(const SocketPtr& socket, const std::string& name, Args args, Ack ack) const {
    if (const auto it = on_event_.find(name); it != on_event_.end())
        it->second(socket, name, std::move(args), std::move(ack));
    else if (on_any_)
        on_any_(socket, name, std::move(args), std::move(ack));
}

void Namespace::disconnected(const SocketPtr& socket, std::string_view reason) const {
    if (on_disconnect_) on_disconnect_(socket, reason);
}

}  // namespace flow::realtime::socketio
