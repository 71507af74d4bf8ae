#include "realtime/device_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace flow::realtime {

namespace asio = boost::asio;

namespace {

// Messages read from storage at a time while catching up: bounds the memory one sync
// holds (at most 100 x 64 KiB of text).
constexpr int kSyncBatch = 100;
// `sent` of a chat whose acknowledged point has yet to be read from storage.
constexpr Seq kUnknown = -1;
// How long a message that arrived early waits for those before it before they are read
// from storage: enough for a message published by another thread or node a moment
// later, short enough that a lost one is not noticed.
constexpr auto kGapWait = std::chrono::milliseconds(50);

}  // namespace

DeviceSession::DeviceSession(Caller caller, WireFormat format, asio::any_io_executor executor,
                             asio::thread_pool& blocking, MessageService& messages, std::weak_ptr<Outlet> outlet)
    : caller_(std::move(caller)), format_(format), executor_(std::move(executor)),
      blocking_(blocking), messages_(messages), outlet_(std::move(outlet)) {}

void DeviceSession::start() {
    asio::post(blocking_, [self = shared_from_this()] {
        auto cursors = self->messages_.delivery_cursors(self->caller_);
        asio::post(self->executor_, [self, cursors = std::move(cursors)] {
            for (const auto& cursor : cursors) {
                // Knowing where it stands in every chat, a live message that follows on
                // goes straight out, without a read from storage first.
                auto [it, fresh] = self->chats_.try_emplace(cursor.chat_id);
                if (!fresh) continue;  // a live event got there first and syncs it already
                it->second.sent = cursor.delivered;
                if (cursor.last > cursor.delivered) self->sync(cursor.chat_id, cursor.last);
            }
        });
    });
}

void DeviceSession::push(std::shared_ptr<const OutboundEvent> event) {
    asio::post(executor_, [self = shared_from_this(), event = std::move(event)]() mutable {
        self->handle(std::move(event));
    });
}

void DeviceSession::sent_here(const Message& message) {
    // A marker without frames: it takes the message's place in the chat's order, so the
    // messages after it need not wait for it.
    auto marker = OutboundEvent::marker(message.chat_id, message.seq);
    asio::post(executor_, [self = shared_from_this(), marker = std::move(marker)]() mutable {
        // A chat not seen on this connection yet learns where it stands from storage.
        if (self->chats_.contains(marker->chat_id)) self->handle(std::move(marker));
    });
}

void DeviceSession::close() {
    asio::post(executor_, [self = shared_from_this()] {
        if (auto outlet = self->outlet_.lock()) outlet->close();
    });
}

void DeviceSession::stop() {
    asio::dispatch(executor_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->outlet_.reset();
        self->chats_.clear();
    });
}

void DeviceSession::send(const std::shared_ptr<const std::string>& frame) {
    if (auto outlet = frame ? outlet_.lock() : nullptr) outlet->send(frame);
}

void DeviceSession::handle(std::shared_ptr<const OutboundEvent> event) {
    if (stopped_) return;
    if (event->is_state()) {
        const auto& frame = event->frame(format_);
        if (auto outlet = frame ? outlet_.lock() : nullptr) outlet->send_state(event->state_key, frame);
        return;
    }
    if (!event->is_message()) return send(event->frame(format_));

    auto [it, fresh] = chats_.try_emplace(event->chat_id);
    auto& progress = it->second;
    // A chat not seen on this connection: where the device stands is in storage.
    if (fresh) progress.sent = kUnknown;
    if (progress.syncing) return progress.held.push_back(std::move(event));
    if (event->seq <= progress.sent) return;  // sent already, by a sync
    if (event->seq == progress.sent + 1) {
        progress.sent = event->seq;
        send(event->frame(format_));
        return release_held(progress);
    }
    if (progress.sent != kUnknown) return hold_for_gap(progress, it->first, std::move(event));
    const Seq until = event->seq;
    progress.held.push_back(std::move(event));
    sync(it->first, until);
}

void DeviceSession::hold_for_gap(ChatProgress& progress, const std::string& chat_id,
                                 std::shared_ptr<const OutboundEvent> event) {
    auto at = std::upper_bound(progress.held.begin(), progress.held.end(), event->seq,
                               [](Seq seq, const auto& held) { return seq < held->seq; });
    progress.held.insert(at, std::move(event));
    if (progress.gap_timer) return;  // already waiting
    progress.gap_timer = std::make_shared<asio::steady_timer>(executor_, kGapWait);
    progress.gap_timer->async_wait([self = shared_from_this(), chat_id, timer = progress.gap_timer](auto ec) {
        auto it = self->chats_.find(chat_id);
        if (ec || self->stopped_ || it == self->chats_.end() || it->second.gap_timer != timer) return;
        auto& progress = it->second;
        progress.gap_timer.reset();
        // Still a gap: read it from storage, the held events after it.
        if (!progress.held.empty() && !progress.syncing) self->sync(chat_id, progress.held.back()->seq);
    });
}

void DeviceSession::release_held(ChatProgress& progress) {
    if (progress.syncing) return;
    auto next = progress.held.begin();
    for (; next != progress.held.end() && (*next)->seq <= progress.sent + 1; ++next) {
        if ((*next)->seq <= progress.sent) continue;
        progress.sent = (*next)->seq;
        send((*next)->frame(format_));
    }
    progress.held.erase(progress.held.begin(), next);
    if (progress.held.empty() && progress.gap_timer) {
        progress.gap_timer->cancel();
        progress.gap_timer.reset();
    }
}

void DeviceSession::sync(const std::string& chat_id, Seq until) {
    auto& progress = chats_[chat_id];
    progress.syncing = true;
    progress.until = std::max(progress.until, until);
    read_batch(chat_id, progress.sent);
}

void DeviceSession::read_batch(const std::string& chat_id, Seq sent) {
    asio::post(blocking_, [self = shared_from_this(), chat_id, sent] {
        auto& messages = self->messages_;
        auto start = sent == kUnknown ? messages.delivered(self->caller_, chat_id) : Result<Seq>(sent);
        auto batch = start ? messages.messages_after(self->caller_, chat_id, *start, kSyncBatch)
                           : Result<std::vector<Message>>(start.error());
        asio::post(self->executor_, [self, chat_id, start = start ? *start : 0, batch = std::move(batch)]() mutable {
            if (!batch) return self->forget(chat_id);
            self->deliver_batch(chat_id, start, std::make_shared<const std::vector<Message>>(std::move(*batch)), 0);
        });
    });
}

void DeviceSession::forget(const std::string& chat_id) { chats_.erase(chat_id); }

void DeviceSession::deliver_batch(const std::string& chat_id, Seq start,
                                  std::shared_ptr<const std::vector<Message>> batch, std::size_t next) {
    if (stopped_) return;
    auto it = chats_.find(chat_id);
    if (it == chats_.end()) return;
    auto& progress = it->second;
    progress.sent = std::max(progress.sent, start);
    while (next < batch->size()) {
        const auto& message = (*batch)[next++];
        if (message.seq <= progress.sent) continue;
        progress.sent = message.seq;
        if (message.origin_session == caller_.session_id) continue;  // the sending device has it
        send(OutboundEvent::encode(message)->frame(format_));
        // The next one once the socket has room: a device owed more than its socket may
        // hold gets it as fast as it reads.
        if (next < batch->size()) {
            if (auto outlet = outlet_.lock())
                outlet->after_room([self = shared_from_this(), chat_id, batch, next] {
                    asio::post(self->executor_, [self, chat_id, batch, next] {
                        self->deliver_batch(chat_id, kUnknown, batch, next);
                    });
                });
            return;
        }
    }
    if (static_cast<int>(batch->size()) == kSyncBatch) return read_batch(chat_id, progress.sent);
    finish_sync(chat_id);
}

void DeviceSession::finish_sync(const std::string& chat_id) {
    auto& progress = chats_[chat_id];
    Seq newest = 0;
    for (const auto& event : progress.held) newest = std::max(newest, event->seq);
    if (newest > progress.until) {
        // Live messages went on while it synced: read them from storage as well, paced by
        // the socket, rather than sending them all at once into a full queue.
        progress.until = newest;
        progress.held.clear();
        return read_batch(chat_id, progress.sent);
    }
    progress.syncing = false;
    const Seq until = std::exchange(progress.until, 0);
    auto held = std::move(progress.held);
    progress.held.clear();
    for (auto& event : held) {
        auto& current = chats_[chat_id];
        // Storage had nothing to fill this gap with: rather than stall the chat, go on.
        if (!current.syncing && event->seq <= until && event->seq > current.sent + 1)
            current.sent = event->seq - 1;
        handle(std::move(event));
    }
}

}  // namespace flow::realtime
