#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace flow {

// Carries bytes from this node to the other nodes of one service, and theirs to it,
// without reading them: what they mean is for the real-time layer on either side
// (realtime::Fanout). A node does not receive its own bytes back. Thread-safe.
class NodeLink {
public:
    struct Handlers {
        // Bytes another node sent; called on the link's own thread, one at a time, in
        // the order they were sent.
        std::function<void(std::string_view bytes)> on_bytes;
        // The link is back after it was lost: what was sent meanwhile may never arrive.
        std::function<void()> on_resync;
    };

    virtual ~NodeLink() = default;
    // Starts receiving; called once, before anything is sent.
    virtual void start(Handlers handlers) = 0;
    // Queues bytes for the other nodes and returns at once.
    virtual void send(std::string bytes) = 0;
    // Whether bytes reach the other nodes now; for /health.
    virtual bool healthy() const = 0;
};

}  // namespace flow
