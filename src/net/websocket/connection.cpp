#include "net/websocket/connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <span>

#include "net/receive_buffer.hpp"
#include "net/websocket/frame_writer.hpp"

namespace flow::net::websocket {

namespace asio = boost::asio;
using Clock = Deadline::Clock;
using Kind = FrameParser::Event::Kind;

namespace {

// How long a closing connection waits for the client's close frame.
constexpr auto kCloseWait = std::chrono::seconds(2);
// Reads in a row before a busy connection lets the others of its thread go first.
constexpr int kReadsPerTurn = 8;

bool would_block(const boost::system::error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

std::shared_ptr<const std::string> copy_of(std::span<const std::byte> a, std::span<const std::byte> b = {}) {
    auto out = std::make_shared<std::string>();
    out->reserve(a.size() + b.size());
    out->append(reinterpret_cast<const char*>(a.data()), a.size());
    out->append(reinterpret_cast<const char*>(b.data()), b.size());
    return out;
}

}  // namespace

Connection::Connection(Socket socket, DeadlineSweep& sweep, Options options, std::shared_ptr<void> lease)
    : socket_(std::move(socket)),
      options_(options),
      lease_(std::move(lease)),
      parser_(options.max_message_bytes),
      sweep_(sweep) {}

void Connection::start(std::string handshake, std::shared_ptr<Handler> handler) {
    handler_ = std::move(handler);
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
    socket_.set_option(Socket::protocol_type::no_delay(true), ignored);
    deadline_.emplace(sweep_, [weak = weak_from_this(), executor = executor()](bool stopped) {
        // Stopped: the I/O threads are gone, so the connection ends here and now, and
        // lets go of its handler (which holds it).
        if (stopped) {
            if (auto self = weak.lock()) self->end("server stop");
            return;
        }
        asio::post(executor, [weak] {
            if (auto self = weak.lock()) self->on_deadline();
        });
    });
    last_read_ = Clock::now();
    if (options_.idle_timeout.count() > 0) deadline_->set(last_read_ + options_.idle_timeout / 2);
    out_.push({}, std::make_shared<const std::string>(std::move(handshake)));
    flush();
    read_when_ready();
}

void Connection::push_frame(Opcode opcode, std::string_view prefix, std::shared_ptr<const std::string> payload) {
    const FrameHeader header(opcode, prefix.size() + payload->size());
    std::array<std::byte, OutboundFrames::kMaxHeader> bytes;
    const auto end = std::copy(header.bytes().begin(), header.bytes().end(), bytes.begin());
    std::transform(prefix.begin(), prefix.end(), end, [](char c) { return static_cast<std::byte>(c); });
    out_.push(std::span(bytes).first(header.bytes().size() + prefix.size()), std::move(payload));
}

void Connection::send(std::shared_ptr<const std::string> payload, bool binary, std::string_view prefix) {
    if (state_ != State::open) return;
    push_frame(binary ? Opcode::binary : Opcode::text, prefix, std::move(payload));
    if (out_.bytes() > options_.max_outbound_bytes && !writing_) {
        // Over the bound while corked: what the socket takes now does not count. An error
        // is left to the flush to come.
        boost::system::error_code ignored;
        write_out(ignored);
    }
    if (out_.bytes() > options_.max_outbound_bytes) {
        // A reader this slow would hold ever more memory: it goes, and catches up from
        // storage when it reconnects. Ended from a handler of its own, not from within
        // the caller's send.
        state_ = State::closing;
        peer_closed_ = true;
        out_.clear();
        asio::post(executor(), [self = shared_from_this()] { self->end("slow consumer"); });
        return;
    }
    schedule_flush();
}

void Connection::send_state(const std::string& key, std::shared_ptr<const std::string> payload,
                            std::string_view prefix) {
    if (state_ != State::open || out_.bytes() > kStatesQueueBytes) return;
    StateFrame state{std::move(payload), {}, static_cast<std::uint8_t>(prefix.size())};
    std::copy(prefix.begin(), prefix.end(), state.prefix.begin());
    if (states_.put(key, std::move(state))) schedule_flush();
}

void Connection::when_queue_below(std::size_t bytes, std::function<void()> task) {
    if (state_ == State::closed) return;
    if (out_.bytes() <= bytes) return task();
    room_waiters_.emplace_back(bytes, std::move(task));
}

void Connection::resume_reading() {
    paused_ = false;
    // Posted: the caller may be inside on_message, over the thread's receive buffer.
    asio::post(executor(), [self = shared_from_this()] {
        if (self->paused_ || self->state_ == State::closed) return;
        if (!self->unread_.empty()) {
            auto unread = std::move(self->unread_);
            self->unread_ = {};
            self->decode(unread);
        }
        self->read_when_ready();
    });
}

void Connection::close(std::uint16_t code, std::string_view reason) {
    if (state_ != State::open) return;
    send_control(CloseFrame(code, reason).bytes());
    state_ = State::closing;
    close_reason_ = "server close";
    deadline_->set(Clock::now() + kCloseWait);
}

void Connection::read_when_ready() {
    if (reading_ || paused_ || state_ == State::closed) return;
    reading_ = true;
    socket_.async_wait(Socket::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
        self->reading_ = false;
        if (self->ready(ec)) self->on_readable();
    });
}

bool Connection::ready(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || state_ == State::closed) return false;
    if (ec) end("transport error");
    return !ec;
}

void Connection::on_readable() {
    const auto buffer = receive_buffer();
    for (int turn = 0; turn < kReadsPerTurn && !paused_ && state_ != State::closed; ++turn) {
        boost::system::error_code ec;
        const std::size_t n = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), ec);
        if (would_block(ec)) break;
        if (ec == asio::error::eof) return end(state_ == State::closing ? close_reason_ : "transport close");
        if (ec) return end("transport error");
        last_read_ = Clock::now();
        pinged_ = false;
        decode(buffer.first(n));
        if (n < buffer.size()) break;  // the socket is drained
    }
    read_when_ready();
}

void Connection::decode(std::span<std::byte> input) {
    while (!input.empty() && !parser_.done() && state_ != State::closed) {
        if (paused_) {
            unread_.insert(unread_.end(), input.begin(), input.end());
            return;
        }
        const auto event = parser_.next(input);
        if (event.kind == Kind::need_more) return;
        handle(event);
    }
}

void Connection::handle(const FrameParser::Event& event) {
    switch (event.kind) {
        case Kind::message:
            if (state_ == State::open && handler_)
                handler_->on_message({reinterpret_cast<const char*>(event.payload.data()), event.payload.size()},
                                     event.opcode == Opcode::binary);
            return;
        case Kind::ping:
            if (state_ == State::open) send_control(FrameHeader(Opcode::pong, event.payload.size()).bytes(), event.payload);
            return;
        case Kind::pong:
        case Kind::need_more:
            return;
        case Kind::close:
            peer_closed_ = true;
            if (state_ == State::closing) return end(close_reason_);  // the answer to ours
            send_control(event.code == close_code::no_status ? CloseFrame().bytes() : CloseFrame(event.code).bytes());
            state_ = State::closing;
            close_reason_ = "transport close";
            return;
        case Kind::error:
            spdlog::debug("websocket: {}: closing with {}", event.detail, event.code);
            peer_closed_ = true;  // nothing more is read from a client that broke the protocol
            if (state_ == State::open) send_control(CloseFrame(event.code).bytes());
            state_ = State::closing;
            close_reason_ = "protocol error";
            return;
    }
}

void Connection::send_control(std::span<const std::byte> frame, std::span<const std::byte> payload) {
    out_.push({}, copy_of(frame, payload));
    schedule_flush();
}

void Connection::schedule_flush() {
    if (flush_posted_ || writing_ || state_ == State::closed) return;
    flush_posted_ = true;
    asio::post(executor(), [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->flush();
    });
}

void Connection::flush() {
    if (writing_ || state_ == State::closed) return;
    if (!states_.empty() && state_ == State::open) {
        std::vector<StateFrame> states;
        states_.take_into(states);
        for (auto& state : states)
            push_frame(Opcode::text, {state.prefix.data(), state.prefix_size}, std::move(state.payload));
    }
    boost::system::error_code ec;
    write_out(ec);
    if (would_block(ec)) {
        writing_ = true;
        socket_.async_wait(Socket::wait_write, [self = shared_from_this()](const boost::system::error_code& ec) {
            self->writing_ = false;
            if (self->ready(ec)) self->flush();
        });
        return;
    }
    if (ec) return end("transport error");
    after_write();
}

void Connection::write_out(boost::system::error_code& ec) {
    while (!out_.empty()) {
        std::array<asio::const_buffer, 64> buffers;
        const std::size_t count = out_.gather(buffers);
        const std::size_t written = socket_.write_some(std::span<const asio::const_buffer>(buffers.data(), count), ec);
        if (ec) return;
        out_.consume(written);
    }
}

void Connection::after_write() {
    if (!room_waiters_.empty()) {
        auto waiters = std::move(room_waiters_);
        room_waiters_.clear();
        for (auto& [bytes, task] : waiters) {
            if (out_.bytes() <= bytes) task();
            else room_waiters_.emplace_back(bytes, std::move(task));
        }
    }
    if (state_ != State::closing || !out_.empty()) return;
    // Our close frame is out (or we answered the client's): with the client's close
    // come already, the connection is over; else it has kCloseWait to send it.
    if (peer_closed_) return end(close_reason_);
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
}

void Connection::on_deadline() {
    if (state_ == State::closed) return;
    if (state_ == State::closing) return end(close_reason_);  // no answer to our close in time
    if (options_.idle_timeout.count() == 0) return;
    const auto idle = Clock::now() - last_read_;
    if (idle >= options_.idle_timeout) return end("idle timeout");
    const auto half = options_.idle_timeout / 2;
    if (idle >= half && !pinged_) {
        send_control(FrameHeader(Opcode::ping, 0).bytes());
        pinged_ = true;
    }
    deadline_->set(last_read_ + (pinged_ ? options_.idle_timeout : half));
}

void Connection::end(std::string_view reason) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    boost::system::error_code ignored;
    socket_.close(ignored);  // pending waits end with operation_aborted
    out_.clear();
    states_.clear();
    unread_ = {};
    room_waiters_.clear();
    deadline_.reset();
    if (auto handler = std::move(handler_)) handler->on_close(reason);
}

}  // namespace flow::net::websocket
