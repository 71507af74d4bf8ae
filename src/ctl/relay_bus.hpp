#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"

namespace flow::ctl {

// flowctl's event bus: it has no sockets of its own, so it encodes each delivery for the
// flowd nodes (wire::to_envelope) and keeps it; relay() then hands them all to the nodes
// once the store change is done. Thread-safe.
class RelayBus final : public EventBus {
public:
    void publish(Delivery delivery) override;

    // Sends what was published to the nodes: through Redis (`redis_url`, as nodes tell
    // each other), or to the one flowd of `data_dir` through its socket. Says on stderr
    // when it reached no live socket (flowd not running, Redis away); true when it did,
    // or there was nothing to send. Blocking.
    bool relay(const std::string& redis_url, const std::string& data_dir);

private:
    std::mutex mutex_;
    std::vector<std::string> envelopes_;
};

}  // namespace flow::ctl
