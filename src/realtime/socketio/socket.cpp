#include "realtime/socketio/socket.hpp"

#include "realtime/socketio/client.hpp"
#include "realtime/socketio/namespace.hpp"

namespace flow::realtime::socketio {

namespace json = boost::json;

Args& Args::add_binary(Binary bytes) {
    values.emplace_back(placeholder(attachments.size()));
    attachments.push_back(std::move(bytes));
    return *this;
}

EncodedPacket encode_event(std::string_view nsp, std::string_view event, Args args,
                           std::optional<std::uint64_t> ack_id) {
    json::array data;
    data.reserve(args.values.size() + 1);
    data.emplace_back(event);
    for (auto& value : args.values) data.push_back(std::move(value));
    return encode({PacketType::event, std::string(nsp), ack_id, json::value(std::move(data)),
                   std::move(args.attachments)});
}

Socket::Socket(std::string id, Namespace& nsp, std::weak_ptr<Client> client, engineio::EngineSocketPtr engine,
               json::value auth)
    : id_(std::move(id)),
      nsp_(nsp),
      client_(std::move(client)),
      engine_(engine),
      auth_(std::move(auth)) {}

const std::string& Socket::nsp() const { return nsp_.name(); }

void Socket::emit(std::string_view event, Args args) {
    if (connected_) send_frames(encode_event(nsp(), event, std::move(args)));
}

void Socket::emit_with_ack(std::string_view event, Args args, AckCallback on_ack, std::chrono::milliseconds timeout) {
    auto engine = engine_.lock();
    if (!engine) return;
    engine->dispatch([self = shared_from_this(), event = std::string(event), args = std::move(args),
                      on_ack = std::move(on_ack), timeout]() mutable {
        if (!self->connected_) {
            on_ack(std::nullopt);
            return;
        }
        const auto id = self->next_ack_id_++;
        self->pending_acks_.emplace(id, std::move(on_ack));
        self->send_frames(encode_event(self->nsp(), event, std::move(args), id));
        if (auto engine = self->engine_.lock())
            engine->dispatch_after(timeout, [weak = self->weak_from_this(), id] {
                auto socket = weak.lock();
                if (!socket) return;
                if (auto pending = socket->pending_acks_.extract(id)) pending.mapped()(std::nullopt);
            });
    });
}

boost::asio::any_io_executor Socket::executor() const {
    auto engine = engine_.lock();
    return engine ? engine->executor() : boost::asio::any_io_executor();
}

void Socket::when_queue_below(std::size_t bytes, std::function<void()> task) {
    if (auto engine = engine_.lock()) engine->when_queue_below(bytes, std::move(task));
}

void Socket::send(const EncodedPacket& packet) {
    if (connected_) send_frames(packet);
}

void Socket::send_state(const std::string& key, const EncodedPacket& packet) {
    // A state is one frame: with attachments, it goes as a message.
    if (connected_) send_frames(packet, packet.attachments.empty() ? key : std::string());
}

void Socket::disconnect(std::string reason, bool close_connection) {
    auto engine = engine_.lock();
    if (!engine) return;
    engine->dispatch([self = shared_from_this(), reason = std::move(reason), close_connection] {
        if (auto client = self->client_.lock()) client->disconnect(self, reason, close_connection);
    });
}

void Socket::on_disconnect(DisconnectCallback callback) { on_disconnect_.push_back(std::move(callback)); }

void Socket::set_data(std::shared_ptr<void> data) {
    data_.store(std::move(data));
}

void Socket::receive_ack(std::uint64_t id, Args args) {
    if (auto pending = pending_acks_.extract(id)) pending.mapped()(std::move(args));
}

void Socket::closed(std::string_view reason) {
    const bool was_connected = connected_.exchange(false);
    auto acks = std::move(pending_acks_);
    pending_acks_.clear();
    for (auto& [id, on_ack] : acks) on_ack(std::nullopt);
    if (!was_connected) return;
    auto callbacks = std::move(on_disconnect_);
    on_disconnect_.clear();
    for (auto& callback : callbacks) callback(reason);
    nsp_.disconnected(shared_from_this(), reason);
}

void Socket::send_frames(const EncodedPacket& packet, const std::string& state_key) const {
    auto engine = engine_.lock();
    if (!engine) return;
    std::vector<engineio::Frame> frames;
    frames.reserve(1 + packet.attachments.size());
    frames.push_back({packet.text, false, state_key});
    for (const auto& attachment : packet.attachments) frames.push_back({attachment, true});
    engine->send(std::move(frames));
}

Ack::Ack(std::weak_ptr<Socket> socket, std::uint64_t id) : state_(std::make_shared<State>()) {
    state_->socket = std::move(socket);
    state_->id = id;
}

void Ack::operator()(Args args) const {
    if (!state_ || state_->sent.exchange(true)) return;
    auto socket = state_->socket.lock();
    if (!socket || !socket->connected()) return;
    socket->send_frames(encode({PacketType::ack, socket->nsp(), state_->id, json::value(std::move(args.values)),
                                std::move(args.attachments)}));
}

}  // namespace flow::realtime::socketio
