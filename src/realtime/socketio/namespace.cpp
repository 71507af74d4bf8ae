#include "realtime/socketio/namespace.hpp"

namespace flow::realtime::socketio {

std::vector<SocketPtr> Namespace::sockets() const {
    std::vector<SocketPtr> out;
    std::lock_guard lock(mutex_);
    out.reserve(sockets_.size());
    for (const auto& [id, weak] : sockets_)
        if (auto socket = weak.lock()) out.push_back(std::move(socket));
    return out;
}

void Namespace::broadcast(const EncodedPacket& packet) const {
    for (const auto& socket : sockets()) socket->send(packet);
}

void Namespace::admit(const SocketPtr& socket, ConnectCallback done) const {
    if (on_connect_)
        on_connect_(socket, std::move(done));
    else
        done(Ok{});
}

void Namespace::connected(const SocketPtr& socket) {
    {
        std::lock_guard lock(mutex_);
        sockets_[socket->id()] = socket;
    }
    if (on_connection_) on_connection_(socket);
}

void Namespace::event(const SocketPtr& socket, const std::string& name, Args args, Ack ack) const {
    if (const auto it = on_event_.find(name); it != on_event_.end())
        it->second(socket, name, std::move(args), std::move(ack));
    else if (on_any_)
        on_any_(socket, name, std::move(args), std::move(ack));
}

void Namespace::disconnected(const SocketPtr& socket, std::string_view reason) {
    {
        std::lock_guard lock(mutex_);
        sockets_.erase(socket->id());
    }
    if (on_disconnect_) on_disconnect_(socket, reason);
}

}  // namespace flow::realtime::socketio
