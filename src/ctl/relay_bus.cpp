#include "ctl/relay_bus.hpp"

#include <cstdio>
#include <filesystem>

#include "bus/redis/redis_node_link.hpp"
#include "bus/unix/envelope_socket.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "wire/encoded_delivery.hpp"

namespace flow::ctl {

namespace {

void warn(const std::string& why) {
    std::fprintf(stderr, "flowctl: warning: %s: the change is stored, but no live socket was told (devices see it "
                 "when they next connect)\n", why.c_str());
}

}  // namespace

void RelayBus::publish(Delivery delivery) {
    auto envelope = wire::to_envelope(wire::encode(delivery));
    std::lock_guard lock(mutex_);
    envelopes_.push_back(std::move(envelope));
}

bool RelayBus::relay(const std::string& redis_url, const std::string& data_dir) {
    std::vector<std::string> envelopes;
    {
        std::lock_guard lock(mutex_);
        envelopes.swap(envelopes_);
    }
    if (envelopes.empty()) return true;
    if (!redis_url.empty()) {
        const auto address = parse_redis_url(redis_url);
        // A sender id of its own, which no node has: every node takes what it sends.
        const auto heard = RedisNodeLink::publish_now(address, "flowctl-" + new_id(SystemClock().now_ms()), envelopes);
        if (!heard) {
            warn("Redis at " + address.host + ":" + std::to_string(address.port) + " could not be reached");
            return false;
        }
        if (*heard == 0) {
            warn("no flowd node listens on Redis");
            return false;
        }
        return true;
    }
    const auto path = (std::filesystem::path(data_dir) / kEnvelopeSocketName).string();
    const auto sent = send_envelopes(path, envelopes);
    if (sent.outcome == EnvelopesSent::Outcome::delivered) return true;
    warn(sent.outcome == EnvelopesSent::Outcome::not_running ? "flowd is not running (" + sent.detail + ")" : sent.detail);
    return false;
}

}  // namespace flow::ctl
