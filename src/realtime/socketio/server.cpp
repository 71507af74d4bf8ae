#include "realtime/socketio/server.hpp"

#include "realtime/socketio/client.hpp"

namespace flow::realtime::socketio {

Namespace& SocketIoServer::of(std::string_view name) {
    auto it = namespaces_.find(name);
    if (it == namespaces_.end())
        it = namespaces_.emplace(std::string(name), std::make_unique<Namespace>(std::string(name))).first;
    return *it->second;
}

Namespace* SocketIoServer::find(std::string_view name) const {
    const auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : it->second.get();
}

engineio::OpenHandler SocketIoServer::open_handler() {
    return [this](const engineio::EngineSocketPtr& engine) {
        auto client = std::make_shared<Client>(*this, engine);
        client->start(options_.connect_timeout);
        return client;
    };
}

}  // namespace flow::realtime::socketio
