#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "realtime/outbound_event.hpp"
#include "service/auth_service.hpp"
#include "service/message_service.hpp"

namespace flow::realtime {

// One connected device (one token) on some socket transport: what it has been sent, so
// that each of its chats reaches it once and in seq order, whatever order events arrive
// in. On start it learns where it stands in each chat and is sent every message it has
// not acknowledged; a live message that would leave a gap is held a moment for the ones
// before it, and if they do not come (or for a chat it joined since) the missing part is
// read from storage first, holding that chat's later events meanwhile. Its state lives
// on `executor` (a strand); push() may be called from any thread. Owned by the
// transport's connection and, while attached, the Hub.
class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
public:
    // How frames leave: the transport, called on `executor`. `send` must not block; the
    // transport bounds its own queue. `send_state` is for typing and presence: the
    // transport keeps the latest frame of each key apart from its queue (LatestStates),
    // drops it when the queue is behind (more than net::kStatesQueueBytes), and never
    // counts it against its bound. `after_room` runs a callback (on any thread) once the
    // transport's queue has room again, so that catching up goes no faster than the
    // device reads. Held weakly: once the transport has gone, nothing is sent.
    class Outlet {
    public:
        virtual ~Outlet() = default;
        virtual void send(std::shared_ptr<const std::string> frame) = 0;
        virtual void send_state(const std::string& key, std::shared_ptr<const std::string> frame) = 0;
        virtual void close() = 0;
        virtual void after_room(std::function<void()> callback) = 0;
    };

    DeviceSession(Caller caller, WireFormat format, boost::asio::any_io_executor executor,
                  boost::asio::thread_pool& blocking, MessageService& messages, std::weak_ptr<Outlet> outlet);

    const Caller& caller() const { return caller_; }

    // Sends what the device is owed, then keeps it up to date. Once.
    void start();
    // A live event for this device. Thread-safe.
    void push(std::shared_ptr<const OutboundEvent> event);
    // This device sent `message` (and had it back in the ack): it needs no message:new
    // for it, and the messages after it need not wait for it. Thread-safe.
    void sent_here(const Message& message);
    // Closes the device's socket (it signed out). Thread-safe.
    void close();
    // Drops the outlet: nothing more is sent. When the socket is gone; thread-safe.
    void stop();

private:
    struct ChatProgress {
        Seq sent = 0;          // every message up to here has gone out
        bool syncing = false;  // a read from storage is under way
        Seq until = 0;         // the sync goes at least this far
        // Live events waiting for the sync, or, between syncs, for the ones before them.
        // A vector: unlike a deque, it takes no memory while empty, as it mostly is.
        std::vector<std::shared_ptr<const OutboundEvent>> held;
        std::shared_ptr<boost::asio::steady_timer> gap_timer;  // while waiting for a gap to fill
    };

    void handle(std::shared_ptr<const OutboundEvent> event);
    // Holds an event that came before the ones that precede it: usually they are a moment
    // behind (messages published by several threads or nodes), so it waits a little for
    // them before reading the gap from storage.
    void hold_for_gap(ChatProgress& progress, const std::string& chat_id,
                      std::shared_ptr<const OutboundEvent> event);
    // Sends the held events that follow on from what was sent.
    void release_held(ChatProgress& progress);
    // Reads the chat's messages after what was sent (or, for a chat not seen yet, after
    // what the device acknowledged) up to at least `until`, then releases held events.
    void sync(const std::string& chat_id, Seq until);
    void read_batch(const std::string& chat_id, Seq sent);
    // Sends a batch read after `start` from message `next` on, pausing while the socket
    // is congested; then reads the next batch or, at the end, releases held events.
    void deliver_batch(const std::string& chat_id, Seq start,
                       std::shared_ptr<const std::vector<Message>> batch, std::size_t next);
    void finish_sync(const std::string& chat_id);
    // The device is no longer in the chat.
    void forget(const std::string& chat_id);
    void send(const std::shared_ptr<const std::string>& frame);

    Caller caller_;
    WireFormat format_;
    boost::asio::any_io_executor executor_;
    boost::asio::thread_pool& blocking_;
    MessageService& messages_;
    std::weak_ptr<Outlet> outlet_;  // reset by stop(): nothing is sent after
    bool stopped_ = false;
    std::unordered_map<std::string, ChatProgress> chats_;
};

}  // namespace flow::realtime
