#pragma once

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "realtime/engineio/engine_socket.hpp"
#include "realtime/socketio/packet.hpp"

namespace flow::realtime::socketio {

class Client;
class Namespace;

// The arguments of an event or an ack. A binary argument stands in `values` as the
// placeholder {"_placeholder":true,"num":i} and its bytes are attachments[i]: received
// arguments can be sent on as they are, binary ones included.
struct Args {
    boost::json::array values;
    std::vector<Binary> attachments;

    // Appends a binary argument.
    Args& add_binary(Binary bytes);
};

// `<2 or 5>[n-][nsp,][id]["event",...args]`: an event encoded once, to be sent to any
// number of sockets of namespace `nsp`.
EncodedPacket encode_event(std::string_view nsp, std::string_view event, Args args,
                           std::optional<std::uint64_t> ack_id = std::nullopt);

// One client's connection to one namespace. Created by the server when a client sends
// CONNECT; handed to the namespace's handlers as a shared_ptr. Sending (emit, send, the
// ack of an event) and disconnect are thread-safe; handlers run on the connection's
// strand, one at a time.
class Socket : public std::enable_shared_from_this<Socket> {
public:
    using AckCallback = std::function<void(std::optional<Args>)>;
    using DisconnectCallback = std::function<void(std::string_view reason)>;

    Socket(std::string id, Namespace& nsp, std::weak_ptr<Client> client, engineio::EngineSocketPtr engine,
           boost::json::value auth);

    // The id sent back in the CONNECT answer; not the Engine.IO session id.
    const std::string& id() const { return id_; }
    const std::string& nsp() const;
    Namespace& space() const { return nsp_; }
    // The CONNECT payload ({} when the client sent none): what the app authenticates.
    // Kept until the connection handlers have run, then let go (it holds a token).
    const boost::json::value& auth() const { return auth_; }
    // The connection's strand, where the socket's handlers run; null once it has closed.
    boost::asio::any_io_executor executor() const;
    bool connected() const { return connected_; }

    // Sends event `event` with `args`; dropped once disconnected.
    void emit(std::string_view event, Args args = {});
    // The same, asking for an ack: `on_ack` runs once on the connection's strand, with the
    // client's answer, or nullopt after `timeout` or a disconnect without one.
    void emit_with_ack(std::string_view event, Args args, AckCallback on_ack,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Sends a packet encoded once for many sockets (encode_event with this namespace).
    void send(const EncodedPacket& packet);
    // The same for a state (typing, presence): the latest packet of each `key` is sent,
    // and dropped when the client is behind (see engineio::Frame).
    void send_state(const std::string& key, const EncodedPacket& packet);
    // Runs `task` (on the connection's strand) once no more than `bytes` wait to be sent
    // to this client; see EngineSocket::when_queue_below.
    void when_queue_below(std::size_t bytes, std::function<void()> task);
    // Leaves the namespace from the server side: the client gets DISCONNECT and the
    // disconnect handlers run with `reason`; `close_connection` also ends the Engine.IO
    // session (and so every namespace on it).
    void disconnect(std::string reason = "server namespace disconnect", bool close_connection = false);
    // Runs `callback` once when the socket leaves the namespace. Call on the strand (in a
    // handler).
    void on_disconnect(DisconnectCallback callback);

    // What the app keeps with the connection (the signed-in user). Thread-safe.
    void set_data(std::shared_ptr<void> data);
    template <class T>
    std::shared_ptr<T> data() const {
        return std::static_pointer_cast<T>(data_.load());
    }

private:
    friend class Client;
    friend class Ack;
    // For Client, on the strand.
    void mark_connected() { connected_ = true; }
    void forget_auth() { auth_ = nullptr; }
    void receive_ack(std::uint64_t id, Args args);
    void closed(std::string_view reason);

    void send_frames(const EncodedPacket& packet, const std::string& state_key = {}) const;

    const std::string id_;
    Namespace& nsp_;
    const std::weak_ptr<Client> client_;
    const std::weak_ptr<engineio::EngineSocket> engine_;
    boost::json::value auth_;
    std::atomic<bool> connected_{false};

    // On the strand.
    std::uint64_t next_ack_id_ = 0;
    std::unordered_map<std::uint64_t, AckCallback> pending_acks_;
    std::vector<DisconnectCallback> on_disconnect_;

    std::atomic<std::shared_ptr<void>> data_;
};

using SocketPtr = std::shared_ptr<Socket>;

// The answer to one received event. Empty (false) when the client asked for no ack;
// otherwise callable once, from any thread (later calls do nothing).
class Ack {
public:
    Ack() = default;
    Ack(std::weak_ptr<Socket> socket, std::uint64_t id);

    explicit operator bool() const { return state_ != nullptr; }
    void operator()(Args args = {}) const;

private:
    struct State {
        std::weak_ptr<Socket> socket;
        std::uint64_t id;
        std::atomic<bool> sent{false};
    };
    std::shared_ptr<State> state_;
};

}  // namespace flow::realtime::socketio
