#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flow::realtime::engineio {

// One outgoing message: text or bytes, shared and immutable so that one encoded frame
// goes to many sessions without copies. A state (typing, presence: worth nothing late,
// and superseded by the next of its key) is never queued: the session keeps the latest
// frame of each key apart (net::LatestStates) and sends those after its queue at
// the next write; it drops one when the queue holds more than net::kStatesQueueBytes, so a
// state never waits behind a backlog, and states do not count against the bound.
struct Frame {
    std::shared_ptr<const std::string> data;
    bool binary = false;
    std::string state_key = {};  // empty for a message

    static Frame text(std::string data) {
        return {std::make_shared<const std::string>(std::move(data)), false};
    }
};

// One Engine.IO session as the layers above see it, whatever its transport (polling,
// WebSocket, or one upgraded to the other). Owned by the Engine.IO server; handed out as
// a shared_ptr. Thread-safe: every call may come from any thread and is carried out on
// the session's strand, in call order.
class EngineSocket {
public:
    virtual ~EngineSocket() = default;

    virtual const std::string& sid() const = 0;
    virtual const std::string& remote_address() const = 0;
    // The session's strand: what runs there needs no hop to reach the session.
    virtual const boost::asio::any_io_executor& executor() const = 0;

    // Queues messages, in order and together (a Socket.IO packet and its attachments).
    // Dropped once the session closes. A session whose queue grows past its bound (a
    // client that reads too slowly) is closed; state frames are dropped instead.
    virtual void send(std::vector<Frame> frames) = 0;
    void send(Frame frame) { send(std::vector<Frame>{std::move(frame)}); }

    // Runs `task` on the session's strand once no more than `bytes` wait in its queue
    // (at once if that is so already): lets a sender with much to send go no faster
    // than the client reads. Dropped once the session has closed.
    virtual void when_queue_below(std::size_t bytes, std::function<void()> task) = 0;

    // Sends what is queued, then closes; the listener hears on_close("forced close").
    virtual void close() = 0;

    // Runs `task` on the session's strand: now if already there, else posted. Dropped
    // once the session has closed.
    virtual void dispatch(std::function<void()> task) = 0;
    // Runs `task` on the session's strand after `delay`, unless the session closed.
    // Returns what cancels it, to be called on the strand: the wait and `task` go at once.
    virtual std::function<void()> dispatch_after(std::chrono::milliseconds delay, std::function<void()> task) = 0;
};

using EngineSocketPtr = std::shared_ptr<EngineSocket>;

// What happens on one session, reported to the layer above. Every call comes on the
// session's strand, one at a time; on_close comes once and is the last.
class EngineListener {
public:
    virtual ~EngineListener() = default;
    // A message: text, or bytes when `binary`.
    virtual void on_message(std::string data, bool binary) = 0;
    // Why the session ended: "transport close", "ping timeout", "parse error", ...
    virtual void on_close(std::string_view reason) = 0;
};

// Called on a new session's strand before any message arrives: returns the session's
// listener (it may keep the socket to send with).
using OpenHandler = std::function<std::shared_ptr<EngineListener>(const EngineSocketPtr& socket)>;

}  // namespace flow::realtime::engineio
