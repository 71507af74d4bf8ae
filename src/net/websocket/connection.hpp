#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/deadline_sweep.hpp"
#include "net/latest_states.hpp"
#include "net/outbound_frames.hpp"
#include "net/websocket/frame_parser.hpp"

namespace flow::net::websocket {

struct Options {
    std::uint32_t max_message_bytes = 256 * 1024;
    std::size_t max_outbound_bytes = 8 * 1024 * 1024;  // past it a reader is too slow: closed
    // Nothing read for this long: closed (a ping at half); 0 for none (a protocol above
    // keeps its own heartbeat).
    std::chrono::seconds idle_timeout{45};
};

// What a connection tells its owner, on the connection's executor.
class Handler {
public:
    virtual ~Handler() = default;
    // A whole message: text (valid UTF-8) or bytes; `data` is valid during the call only.
    virtual void on_message(std::string_view data, bool binary) = 0;
    // The connection is over: "transport close" (the client closed), "transport error",
    // "idle timeout", "slow consumer", "protocol error", "server close". Once, and last.
    virtual void on_close(std::string_view reason) = 0;
};

// One WebSocket connection, driven by readiness: while nothing comes it holds no read
// buffer and no pending timer. When the socket is readable, its bytes are read into the
// I/O thread's receive buffer and decoded in place (FrameParser); only a frame split
// across reads is copied. Outgoing frames are a header of their own and a payload shared
// with every connection it goes to (OutboundFrames), corked: everything sent during one
// handler leaves in one writev. Pings and the idle timeout come from a DeadlineSweep.
//
// Owned by its pending operations and by whoever sends on it. Everything but the
// constructor runs on the socket's executor (a strand).
class Connection : public std::enable_shared_from_this<Connection> {
public:
    using Socket = boost::asio::ip::tcp::socket;

    // `lease` lives as long as the connection (the HTTP server's accounting of it).
    Connection(Socket socket, DeadlineSweep& sweep, Options options, std::shared_ptr<void> lease = {});

    const Socket::executor_type& executor() { return socket_.get_executor(); }

    // Writes `handshake` (the HTTP 101 answer) and serves the connection for `handler`.
    void start(std::string handshake, std::shared_ptr<Handler> handler);

    // At most this many bytes of a message's own go before its shared payload.
    static constexpr std::size_t kMaxPrefix = 4;

    // Queues a message: `prefix` (at most kMaxPrefix bytes, copied) and then `payload`
    // (shared, not copied); dropped once closing.
    void send(std::shared_ptr<const std::string> payload, bool binary = false, std::string_view prefix = {});
    // Queues a text state: of the ones not written yet, only the latest of each key is
    // sent (see LatestStates); dropped while more than kStatesQueueBytes are queued.
    void send_state(const std::string& key, std::shared_ptr<const std::string> payload, std::string_view prefix = {});
    std::size_t queued_bytes() const { return out_.bytes(); }
    // Runs `task` once no more than `bytes` are queued (at once if so already); dropped
    // if the connection closes first.
    void when_queue_below(std::size_t bytes, std::function<void()> task);

    // Stops reading (the owner is busy with what it has); resume_reading goes on with
    // what was read already, then the socket.
    void pause_reading() { paused_ = true; }
    void resume_reading();

    // Sends what is queued and a close frame, then ends once the client answers (or in
    // 2 s); the owner hears on_close("server close").
    void close(std::uint16_t code, std::string_view reason);

private:
    enum class State : std::uint8_t { open, closing, closed };

    void read_when_ready();
    // Whether a wait for the socket ended with it ready; ends the connection on an error.
    // (The waits capture only the connection: their operations stay small.)
    bool ready(const boost::system::error_code& ec);
    void on_readable();
    // Decodes `input` until it is used up or reading pauses; keeps what is left.
    void decode(std::span<std::byte> input);
    void handle(const FrameParser::Event& event);
    // Queues a frame made here (a close, a pong and its payload), copied.
    void send_control(std::span<const std::byte> frame, std::span<const std::byte> payload = {});
    void push_frame(Opcode opcode, std::string_view prefix, std::shared_ptr<const std::string> payload);
    void schedule_flush();
    void flush();
    // Writes what the socket takes now, without waiting; `ec` would_block when it took
    // less than all.
    void write_out(boost::system::error_code& ec);
    void after_write();
    void on_deadline();
    void end(std::string_view reason);

    Socket socket_;
    const Options options_;
    std::shared_ptr<void> lease_;
    std::shared_ptr<Handler> handler_;  // until on_close
    FrameParser parser_;
    OutboundFrames out_;
    struct StateFrame {
        std::shared_ptr<const std::string> payload;
        std::array<char, kMaxPrefix> prefix{};
        std::uint8_t prefix_size = 0;
    };
    LatestStates<StateFrame> states_;
    std::vector<std::byte> unread_;  // decoded no further while paused
    std::vector<std::pair<std::size_t, std::function<void()>>> room_waiters_;
    std::optional<Deadline> deadline_;
    DeadlineSweep& sweep_;
    Deadline::Clock::time_point last_read_;
    State state_ = State::open;
    bool reading_ = false;  // a wait for readability is pending
    bool paused_ = false;
    bool writing_ = false;  // a wait for writability is pending
    bool flush_posted_ = false;
    bool pinged_ = false;       // since the last read
    bool peer_closed_ = false;  // the client's close frame came (or the client failed)
    std::string_view close_reason_;  // what on_close will say, once closing
};

}  // namespace flow::net::websocket
