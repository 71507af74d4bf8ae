#include "realtime/socketio/client.hpp"

#include <boost/json/serialize.hpp>
#include <algorithm>
#include <chrono>
#include <utility>

#include "common/ids.hpp"
#include "realtime/socketio/server.hpp"

namespace flow::realtime::socketio {

namespace json = boost::json;

namespace {

std::string new_socket_id() {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return new_id(now.count());
}

json::object connect_error(std::string message, const std::string& code) {
    json::object data{{"message", std::move(message)}};
    if (!code.empty()) data["data"] = json::object{{"code", code}};
    return data;
}

}  // namespace

Client::Client(const SocketIoServer& server, const engineio::EngineSocketPtr& engine)
    : server_(server), engine_(engine), decoder_(server.options().max_attachment_bytes) {}

void Client::start(std::chrono::milliseconds connect_timeout) {
    auto engine = engine_.lock();
    if (!engine) return;
    cancel_connect_timeout_ = engine->dispatch_after(connect_timeout, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        for (const auto& socket : self->sockets_)
            if (socket->connected()) return;
        self->fail("connect timeout");
    });
}

void Client::on_message(std::string data, bool binary) {
    if (closed_) return;
    auto step = binary ? decoder_.add_binary(std::make_shared<const std::string>(std::move(data)))
                       : decoder_.add_text(data);
    if (!step) {
        fail("parse error");
        return;
    }
    if (*step) return on_packet(std::move(**step));
    // The header of a binary packet, its attachments still to come: refused now, not
    // once they have all been read, when it is for a namespace not joined.
    if (const auto* header = decoder_.pending(); header && !binary && !joined(header->nsp)) fail("invalid state");
}

std::vector<SocketPtr>::iterator Client::find(std::string_view nsp) {
    return std::find_if(sockets_.begin(), sockets_.end(), [nsp](const SocketPtr& s) { return s->nsp() == nsp; });
}

bool Client::joined(const std::string& nsp) const {
    return std::any_of(sockets_.begin(), sockets_.end(),
                       [&nsp](const SocketPtr& s) { return s->nsp() == nsp && s->connected(); });
}

void Client::on_packet(Packet packet) {
    if (packet.type == PacketType::connect) {
        connect(std::move(packet));
        return;
    }
    if (!joined(packet.nsp) || packet.type == PacketType::connect_error) {
        fail("invalid state");  // as the reference: a packet for a namespace not joined
        return;
    }
    const auto it = find(packet.nsp);
    const auto socket = *it;
    switch (packet.type) {
        case PacketType::disconnect:
            sockets_.erase(it);
            socket->closed("client namespace disconnect");
            return;
        case PacketType::event:
        case PacketType::binary_event: {
            auto& values = packet.data->as_array();
            const auto& first = values.front();
            std::string name = first.is_string() ? std::string(first.get_string()) : json::serialize(first);
            values.erase(values.begin());
            Ack ack = packet.id ? Ack(socket, *packet.id) : Ack();
            socket->space().event(socket, name, Args{std::move(values), std::move(packet.attachments)}, std::move(ack));
            return;
        }
        case PacketType::ack:
        case PacketType::binary_ack:
            if (packet.id)
                socket->receive_ack(*packet.id, Args{std::move(packet.data->as_array()), std::move(packet.attachments)});
            return;
        case PacketType::connect:
        case PacketType::connect_error:
            return;
    }
}

void Client::connect(Packet packet) {
    if (find(packet.nsp) != sockets_.end()) {
        fail("invalid state");  // joined, or joining, already
        return;
    }
    auto* nsp = server_.find(packet.nsp);
    if (!nsp) {
        send({PacketType::connect_error, packet.nsp, std::nullopt, json::object{{"message", "Invalid namespace"}}, {}});
        return;
    }
    auto engine = engine_.lock();
    if (!engine) return;
    auto auth = packet.data ? std::move(*packet.data) : json::value(json::object());
    auto socket = std::make_shared<Socket>(new_socket_id(), *nsp, weak_from_this(), engine, std::move(auth));
    sockets_.push_back(socket);
    nsp->admit(socket, [weak_client = weak_from_this(), weak_socket = std::weak_ptr<Socket>(socket),
                        weak_engine = engine_](Status status) {
        auto engine = weak_engine.lock();
        if (!engine) return;
        engine->dispatch([weak_client, weak_socket, status = std::move(status)] {
            auto client = weak_client.lock();
            auto socket = weak_socket.lock();
            if (client && socket) client->admitted(socket, status);
        });
    });
}

void Client::admitted(const SocketPtr& socket, const Status& status) {
    const auto it = find(socket->nsp());
    if (closed_ || it == sockets_.end() || *it != socket || socket->connected()) return;
    if (!status) {
        sockets_.erase(it);
        send({PacketType::connect_error, socket->nsp(), std::nullopt,
              connect_error(status.error().message, status.error().code), {}});
        return;
    }
    socket->mark_connected();
    if (cancel_connect_timeout_) std::exchange(cancel_connect_timeout_, nullptr)();
    send({PacketType::connect, socket->nsp(), std::nullopt, json::object{{"sid", socket->id()}}, {}});
    socket->space().connected(socket);
    socket->forget_auth();
}

void Client::disconnect(const SocketPtr& socket, std::string_view reason, bool close_connection) {
    const auto it = find(socket->nsp());
    if (!closed_ && it != sockets_.end() && *it == socket) {
        sockets_.erase(it);
        send({PacketType::disconnect, socket->nsp(), std::nullopt, std::nullopt, {}});
        socket->closed(reason);
    }
    if (close_connection) fail(reason);
}

void Client::fail(std::string_view reason) {
    on_close(reason);
    if (auto engine = engine_.lock()) engine->close();
}

void Client::on_close(std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    auto sockets = std::move(sockets_);
    sockets_.clear();
    for (const auto& socket : sockets) socket->closed(reason);
}

void Client::send(const Packet& packet) const {
    if (auto engine = engine_.lock()) {
        const auto encoded = encode(packet);
        engine->send(engineio::Frame{encoded.text, false});
    }
}

}  // namespace flow::realtime::socketio
