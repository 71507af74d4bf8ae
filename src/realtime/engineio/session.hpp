#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/deadline_sweep.hpp"
#include "realtime/engineio/engine_socket.hpp"
#include "realtime/engineio/packet.hpp"
#include "net/latest_states.hpp"
#include "realtime/engineio/options.hpp"

namespace flow::realtime::engineio {

enum class Transport { polling, websocket };

// A packet waiting in a session's queue; `data` is shared with every session it goes to.
struct QueuedPacket {
    PacketType type = PacketType::message;
    std::shared_ptr<const std::string> data;  // null for packets without data
    bool binary = false;
};

// Why a session refused a transport's request; each maps to the reference's 400 answers.
enum class Refusal { none, unknown_sid, bad_request };

// What a transport takes from its session to write: the packets, and whether the
// session is over once they are written (a WebSocket then closes); or a refusal.
struct Drain {
    std::vector<QueuedPacket> packets;
    bool last = false;
    Refusal refusal = Refusal::none;
};

// A transport that takes a session's packets as they come (a WebSocket), where
// long-polling drains the session's queue on request. Called on the session's strand.
class PacketSink {
public:
    virtual ~PacketSink() = default;
    // Packets to send, in order; once `drain.last`, the transport closes after them.
    virtual void deliver(Drain drain) = 0;
    // A state (typing, presence): the latest of each key is sent (see net::LatestStates).
    virtual void deliver_state(const std::string& key, QueuedPacket packet) = 0;
    // Runs `task` on the session's strand once no more than `bytes` wait to be written.
    virtual void when_below(std::size_t bytes, std::function<void()> task) = 0;
};

// One Engine.IO session: its outbound queue, heartbeat and transport state, driven by
// the transports (polling requests, a WebSocket: a PacketSink) and by the layer above
// through EngineSocket. All state lives on one strand: the EngineSocket calls post to it, and the
// transports run the methods below on it (co_spawn). Owned by the server's registry until
// it closes, then by whoever still holds it.
class Session final : public EngineSocket, public std::enable_shared_from_this<Session> {
public:
    using Finished = std::function<void(const std::string& sid)>;

    // The heartbeat's deadlines come from `deadlines`, whose period is their precision.
    Session(boost::asio::any_io_executor strand, net::DeadlineSweep& deadlines, const EngineIoOptions& options,
            std::string sid, std::string remote_address, Transport transport, Finished on_finished);

    // EngineSocket (any thread).
    const std::string& sid() const override { return sid_; }
    const std::string& remote_address() const override { return remote_address_; }
    const boost::asio::any_io_executor& executor() const override { return strand_; }
    void send(std::vector<Frame> frames) override;
    void when_queue_below(std::size_t bytes, std::function<void()> task) override;
    void close() override;
    void dispatch(std::function<void()> task) override;
    std::function<void()> dispatch_after(std::chrono::milliseconds delay, std::function<void()> task) override;

    const boost::asio::any_io_executor& strand() const { return strand_; }

    // The rest runs on the strand only.
    // Queues the open packet, asks `on_open` for the listener and starts the heartbeat.
    void open(const OpenHandler& on_open);
    // A polling GET: what is queued, waiting until something is.
    boost::asio::awaitable<Drain> poll();
    // A polling POST body.
    Refusal post(std::string_view body);
    // A POST larger than maxPayload.
    void reject_oversized() { finish("transport error", PacketType::close); }

    // The WebSocket upgrade: claim (one WebSocket at a time), probe (answer pending GETs
    // with noop), then finish (the WebSocket becomes the transport) or release.
    bool claim_upgrade();
    void probe();
    bool finish_upgrade();
    void release_upgrade();

    // The WebSocket becomes the session's sink: what is queued goes to it now, what
    // comes later as it comes. False when the session has ended.
    bool attach(std::shared_ptr<PacketSink> sink);
    // A packet that came over the WebSocket.
    void receive(Packet packet);
    // The WebSocket ended (closed by the client, or failed).
    void transport_closed(std::string_view reason);

private:
    enum class State { open, closing, closed };

    void enqueue(QueuedPacket packet);
    bool nothing_to_send() const { return queue_.empty() && states_.empty(); }
    // Wakes a waiting GET, or hands what is queued to the sink.
    void wake();
    void end_poll_wait();
    void push_to_sink();
    // What the heartbeat's deadline is for: the next ping, the pong it waits for, or the
    // end of a closing session that was not polled.
    enum class Beat : std::uint8_t { ping, pong, close };
    void beat_in(Beat beat, std::chrono::milliseconds after);
    void on_beat();
    // Ends the session now: a pending GET gets `final_packet`, the listener hears
    // on_close(reason), the registry forgets the session.
    void finish(std::string_view reason, PacketType final_packet);
    Drain take_queue();
    // Runs the when_queue_below tasks whose bound the queue is now under.
    void notify_room();

    boost::asio::any_io_executor strand_;
    const EngineIoOptions options_;
    const std::string sid_;
    const std::string remote_address_;
    Finished on_finished_;
    std::shared_ptr<EngineListener> listener_;

    State state_ = State::open;
    Transport transport_;
    std::vector<QueuedPacket> queue_;
    std::size_t queued_bytes_ = 0;
    net::LatestStates<QueuedPacket> states_;  // typing and presence, sent after queue_
    std::vector<std::pair<std::size_t, std::function<void()>>> room_waiters_;  // when_queue_below
    PacketType final_packet_ = PacketType::close;

    bool polling_ = false;          // a GET is waiting
    bool upgrade_claimed_ = false;  // a WebSocket is probing
    bool upgrading_ = false;        // it has probed: GETs get noop
    std::shared_ptr<PacketSink> sink_;  // the WebSocket, once it is the transport
    bool pushing_ = false;              // handing the queue to the sink

    // Wakes a waiting GET; made by the first GET, so that a session over WebSocket has none.
    std::unique_ptr<boost::asio::steady_timer> poll_signal_;
    net::DeadlineSweep& deadlines_;
    std::optional<net::Deadline> heartbeat_;  // from open() to the end
    net::Deadline::Clock::time_point beat_at_;
    Beat beat_ = Beat::ping;
    bool awaiting_pong_ = false;
};

}  // namespace flow::realtime::engineio
