#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
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
// in. On start it is sent every message it has not acknowledged; a live message that
// would leave a gap (one published late, or a chat it has not seen on this connection)
// makes it read the missing part from storage first, holding that chat's later events
// meanwhile. Its state lives on `executor` (a strand); push() may be called from any
// thread. Owned by the transport's connection and, while attached, the Hub.
class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
public:
    // How frames leave: both called on `executor`. `send` must not block; the transport
    // bounds its own queue.
    struct Outlet {
        std::function<void(std::shared_ptr<const std::string> frame)> send;
        std::function<void()> close;
    };

    DeviceSession(Caller caller, WireFormat format, boost::asio::any_io_executor executor,
                  boost::asio::thread_pool& blocking, MessageService& messages, Outlet outlet);

    const Caller& caller() const { return caller_; }

    // Sends what the device is owed, then keeps it up to date. Once.
    void start();
    // A live event for this device. Thread-safe.
    void push(std::shared_ptr<const OutboundEvent> event);
    // This device sent `message` (and had it back in the ack): it needs no message:new
    // for it. Thread-safe.
    void sent_here(const Message& message);
    // Closes the device's socket (it signed out). Thread-safe.
    void close();
    // Drops the outlet: nothing more is sent. When the socket is gone; thread-safe.
    void stop();

private:
    struct ChatProgress {
        Seq sent = 0;          // every message up to here has gone out
        bool syncing = false;  // a read from storage is under way
        std::deque<std::shared_ptr<const OutboundEvent>> held;  // live events waiting for it
    };

    void handle(std::shared_ptr<const OutboundEvent> event);
    // Reads the chat's messages after what was sent (or, for a chat not seen yet, after
    // what the device acknowledged) up to at least `until`, then releases held events.
    void sync(const std::string& chat_id, Seq until);
    // Back on the strand with what the sync read, starting after `start`.
    void synced(const std::string& chat_id, Seq start, Seq until, Result<std::vector<Message>> read);
    void send(const std::shared_ptr<const std::string>& frame);

    Caller caller_;
    WireFormat format_;
    boost::asio::any_io_executor executor_;
    boost::asio::thread_pool& blocking_;
    MessageService& messages_;
    Outlet outlet_;
    bool stopped_ = false;
    std::unordered_map<std::string, ChatProgress> chats_;
};

}  // namespace flow::realtime
