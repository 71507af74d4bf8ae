#include "realtime/engineio/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow::realtime::engineio {

namespace asio = boost::asio;

Session::Session(asio::any_io_executor strand, net::DeadlineSweep& deadlines, const EngineIoOptions& options,
                 std::string sid, std::string remote_address, Transport transport, Finished on_finished)
    : strand_(std::move(strand)),
      options_(options),
      sid_(std::move(sid)),
      remote_address_(std::move(remote_address)),
      on_finished_(std::move(on_finished)),
      transport_(transport),
      deadlines_(deadlines) {}

void Session::send(std::vector<Frame> frames) {
    dispatch([this, frames = std::move(frames)]() mutable {
        if (state_ != State::open) return;
        for (auto& frame : frames) {
            QueuedPacket packet{PacketType::message, std::move(frame.data), frame.binary};
            if (frame.state_key.empty()) enqueue(std::move(packet));
            else if (sink_) sink_->deliver_state(frame.state_key, std::move(packet));
            else if (queued_bytes_ <= net::kStatesQueueBytes && states_.put(std::move(frame.state_key), std::move(packet)))
                wake();
        }
    });
}

void Session::close() {
    dispatch([this] {
        if (state_ != State::open) return;
        state_ = State::closing;
        wake();
        // A polling client may never come back for the close packet.
        if (state_ == State::closing) beat_in(Beat::close, options_.close_timeout);
    });
}

void Session::dispatch(std::function<void()> task) {
    asio::dispatch(strand_, [self = shared_from_this(), task = std::move(task)] {
        if (self->state_ != State::closed) task();
    });
}

std::function<void()> Session::dispatch_after(std::chrono::milliseconds delay, std::function<void()> task) {
    auto timer = std::make_shared<asio::steady_timer>(strand_, delay);
    timer->async_wait([weak = weak_from_this(), timer, task = std::move(task)](auto ec) {
        auto self = weak.lock();
        if (!ec && self && self->state_ != State::closed) task();
    });
    return [weak_timer = std::weak_ptr(timer)] {
        if (auto timer = weak_timer.lock()) timer->cancel();
    };
}

void Session::open(const OpenHandler& on_open) {
    const Handshake handshake{sid_, options_.allow_upgrades && transport_ == Transport::polling,
                                   options_.ping_interval.count(), options_.ping_timeout.count(),
                                   static_cast<long long>(options_.max_payload)};
    auto open = encode_open(handshake);
    enqueue({PacketType::open, std::make_shared<const std::string>(open.substr(1)), false});
    heartbeat_.emplace(deadlines_, [weak = weak_from_this(), strand = strand_](bool stopped) {
        if (stopped) return;  // the registry lets go of the session
        asio::post(strand, [weak] {
            if (auto self = weak.lock()) self->on_beat();
        });
    });
    listener_ = on_open(shared_from_this());
    if (state_ == State::open) beat_in(Beat::ping, options_.ping_interval);
}

void Session::enqueue(QueuedPacket packet) {
    const std::size_t bytes = 1 + (packet.data ? packet.data->size() : 0);
    queued_bytes_ += bytes;
    queue_.push_back(std::move(packet));
    if (queued_bytes_ > options_.max_queued_bytes) {
        finish("slow consumer", PacketType::close);
        return;
    }
    wake();
}

void Session::end_poll_wait() {
    if (poll_signal_) poll_signal_->cancel();
}

void Session::wake() {
    end_poll_wait();
    push_to_sink();
}

void Session::push_to_sink() {
    if (!sink_ || pushing_ || (nothing_to_send() && state_ != State::closing)) return;
    auto sink = sink_;  // take_queue() may finish the session, which lets go of sink_
    pushing_ = true;
    auto drain = take_queue();
    pushing_ = false;
    sink->deliver(std::move(drain));
}

bool Session::attach(std::shared_ptr<PacketSink> sink) {
    if (state_ == State::closed) return false;
    sink_ = std::move(sink);
    push_to_sink();
    return true;
}

void Session::when_queue_below(std::size_t bytes, std::function<void()> task) {
    dispatch([self = shared_from_this(), bytes, task = std::move(task)]() mutable {
        if (self->state_ == State::closed) return;
        if (self->sink_) return self->sink_->when_below(bytes, std::move(task));
        if (self->queued_bytes_ <= bytes) return task();
        self->room_waiters_.emplace_back(bytes, std::move(task));
    });
}

void Session::notify_room() {
    auto waiters = std::move(room_waiters_);
    room_waiters_.clear();
    for (auto& [bytes, task] : waiters) {
        if (queued_bytes_ <= bytes) task();
        else room_waiters_.emplace_back(bytes, std::move(task));
    }
}

Drain Session::take_queue() {
    Drain drain;
    drain.packets.swap(queue_);
    states_.take_into(drain.packets);
    queued_bytes_ = 0;
    notify_room();
    if (state_ == State::closing) {
        drain.last = true;
        finish("forced close", PacketType::close);
    }
    return drain;
}

asio::awaitable<Drain> Session::poll() {
    if (state_ == State::closed) co_return Drain{{}, false, Refusal::unknown_sid};
    if (transport_ != Transport::polling) co_return Drain{{}, false, Refusal::bad_request};
    if (polling_) {  // a second GET while one waits: the reference closes the session
        finish("transport error", PacketType::close);
        co_return Drain{{}, false, Refusal::bad_request};
    }
    polling_ = true;
    while (nothing_to_send() && state_ == State::open && !upgrading_ && transport_ == Transport::polling) {
        if (!poll_signal_) poll_signal_ = std::make_unique<asio::steady_timer>(strand_);
        poll_signal_->expires_at(asio::steady_timer::time_point::max());
        co_await poll_signal_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    polling_ = false;

    if (state_ == State::closed) co_return Drain{{{final_packet_, nullptr, false}}, true};
    if (transport_ != Transport::polling || (upgrading_ && nothing_to_send()))
        co_return Drain{{{PacketType::noop, nullptr, false}}, false};
    const bool closing = state_ == State::closing;
    auto drain = take_queue();
    if (closing) drain.packets.push_back({PacketType::close, nullptr, false});
    co_return drain;
}

Refusal Session::post(std::string_view body) {
    if (state_ == State::closed) return Refusal::unknown_sid;
    if (transport_ != Transport::polling) return Refusal::bad_request;
    auto packets = decode_payload(body);
    if (!packets) {
        finish("parse error", PacketType::close);
        return Refusal::bad_request;
    }
    for (auto& packet : *packets) receive(std::move(packet));
    return Refusal::none;
}

void Session::receive(Packet packet) {
    if (state_ == State::closed) return;
    switch (packet.type) {
        case PacketType::pong:
            if (!awaiting_pong_) return;
            awaiting_pong_ = false;
            beat_in(Beat::ping, options_.ping_interval);
            return;
        case PacketType::message:
            if (listener_) listener_->on_message(std::move(packet.data), packet.binary);
            return;
        case PacketType::close:
            finish("transport close", PacketType::noop);
            return;
        case PacketType::upgrade:
        case PacketType::noop:
            return;
        case PacketType::ping:  // v4 clients never ping: the reference closes
        case PacketType::open:
            finish("transport error", PacketType::close);
            return;
    }
}

void Session::beat_in(Beat beat, std::chrono::milliseconds after) {
    if (!heartbeat_) return;
    beat_ = beat;
    beat_at_ = net::Deadline::Clock::now() + after;
    heartbeat_->set(beat_at_);
}

void Session::on_beat() {
    if (state_ == State::closed) return;
    // Not due yet: set again since, or the sweep's millisecond came before the deadline's
    // nanosecond. Either way it is the deadline to keep.
    if (net::Deadline::Clock::now() < beat_at_) return heartbeat_->set(beat_at_);
    switch (beat_) {
        case Beat::ping:
            if (state_ != State::open) return;
            enqueue({PacketType::ping, nullptr, false});
            if (state_ != State::open) return;  // closed as a slow consumer
            awaiting_pong_ = true;
            return beat_in(Beat::pong, options_.ping_timeout);
        case Beat::pong: return finish("ping timeout", PacketType::close);
        case Beat::close: return finish("forced close", PacketType::close);
    }
}

bool Session::claim_upgrade() {
    if (state_ != State::open || transport_ != Transport::polling || upgrade_claimed_ || !options_.allow_upgrades)
        return false;
    upgrade_claimed_ = true;
    return true;
}

void Session::probe() {
    upgrading_ = true;
    end_poll_wait();
}

bool Session::finish_upgrade() {
    if (state_ == State::closed) return false;
    transport_ = Transport::websocket;
    upgrading_ = false;
    wake();
    return true;
}

void Session::release_upgrade() {
    upgrade_claimed_ = false;
    upgrading_ = false;
}

void Session::transport_closed(std::string_view reason) { finish(reason, PacketType::close); }

void Session::finish(std::string_view reason, PacketType final_packet) {
    if (state_ == State::closed) return;
    state_ = State::closed;
    final_packet_ = final_packet;
    queue_.clear();
    states_.clear();
    queued_bytes_ = 0;
    room_waiters_.clear();
    heartbeat_.reset();
    end_poll_wait();
    // The WebSocket closes; unless it is taking the queue now, which says it is the last.
    if (auto sink = std::move(sink_); sink && !pushing_) sink->deliver(Drain{{}, true});
    if (auto listener = std::move(listener_)) listener->on_close(reason);
    if (on_finished_) on_finished_(sid_);
}

}  // namespace flow::realtime::engineio
