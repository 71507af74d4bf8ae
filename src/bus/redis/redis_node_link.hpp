#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/node_link.hpp"
#include "bus/redis/redis_connection.hpp"

namespace flow {

// The nodes of one service, linked through one Redis pub/sub channel. Redis keeps
// nothing: a node that loses Redis goes on serving its own devices, and when it gets
// Redis back it calls `on_resync`, whose devices then catch up from storage.
//
// Sending never waits for Redis: a thread of its own publishes what is queued, all of
// it in one round trip, so a commit that hands on its messages does not wait for it.
// While Redis cannot be reached, or is slower than the bytes come, what would make the
// queue hold more than `max_queued_bytes` is dropped (and logged): the other nodes lose
// Redis as well then, and resync when it is back.
class RedisNodeLink final : public NodeLink {
public:
    // `node_id` tells this node's own bytes apart when Redis echoes them.
    RedisNodeLink(RedisAddress address, std::string node_id, std::size_t max_queued_bytes = 64 << 20);
    ~RedisNodeLink() override;
    RedisNodeLink(const RedisNodeLink&) = delete;
    RedisNodeLink& operator=(const RedisNodeLink&) = delete;

    void start(Handlers handlers) override;
    void send(std::string bytes) override;
    bool healthy() const override { return listening_; }

    // For a process that is no node (flowctl): publishes `batch` to the nodes at once, as
    // node `sender_id`, and waits for Redis's answer. How many nodes heard the last of
    // them (0: none is running); nullopt when Redis could not be reached. Blocking.
    static std::optional<long long> publish_now(const RedisAddress& address, const std::string& sender_id,
                                                const std::vector<std::string>& batch);

private:
    // The subscriber's thread: subscribes, hands on what other nodes publish, and
    // subscribes again when the connection is lost.
    void listen();
    // The publisher's thread.
    void publish_queued();
    // Publishes a batch in one round trip over `publisher`, connecting it first if need
    // be; false (and `publisher` closed) when Redis could not take it.
    bool publish(redisContext*& publisher, const std::vector<std::string>& batch);
    void relay(std::string_view message);
    // Waits until stopping or `delay` has passed; true when stopping.
    bool stopped_within(std::chrono::milliseconds delay);

    const RedisAddress address_;
    const std::string node_id_;
    const std::size_t max_queued_bytes_;
    Handlers handlers_;

    std::mutex mutex_;
    std::condition_variable queued_;   // the publisher waits on it for work
    std::condition_variable stopped_;  // either thread waits on it between retries
    bool stopping_ = false;
    redisContext* listener_ = nullptr;  // for the destructor to break its blocking read
    std::vector<std::string> queue_;    // node-tagged messages
    std::size_t queued_bytes_ = 0;
    bool dropping_ = false;  // logged once per spell of dropping
    std::atomic<bool> listening_{false};

    std::thread listener_thread_;
    std::thread publisher_thread_;
};

}  // namespace flow
