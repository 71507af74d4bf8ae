#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bus/encoded_delivery.hpp"
#include "bus/event_bus.hpp"
#include "bus/redis/redis_connection.hpp"

namespace flow {

// The bus of several nodes: each delivery goes to this node's devices at once, and
// through Redis pub/sub to every other node's. Redis keeps nothing: a node that loses
// Redis goes on serving its own devices; when it gets Redis back it calls `on_resync`
// (which closes its sockets, so their devices reconnect and catch up from storage what
// the outage kept from them). Publishing blocks on Redis for at most a second; call it
// where blocking is allowed (the blocking pool). Thread-safe.
class RedisEventBus final : public EventBus {
public:
    // `node_id` tells this node's own deliveries apart when Redis echoes them.
    RedisEventBus(const RedisAddress& address, std::string node_id, DeliverySink& sink,
                  std::function<void()> on_resync);
    ~RedisEventBus() override;
    RedisEventBus(const RedisEventBus&) = delete;
    RedisEventBus& operator=(const RedisEventBus&) = delete;

    void publish(Delivery delivery) override;
    bool healthy() const override { return listening_; }

private:
    // The subscriber's thread: subscribes, hands what other nodes publish to the sink,
    // and reconnects when the connection is lost.
    void listen();
    void relay(const std::string& envelope);

    const std::string node_id_;
    DeliverySink& sink_;
    std::function<void()> on_resync_;
    RedisConnection publisher_;

    std::mutex listener_mutex_;
    std::condition_variable stopped_cv_;
    redisContext* listener_ = nullptr;
    bool stopping_ = false;
    std::atomic<bool> listening_{false};
    std::thread thread_;
};

}  // namespace flow
