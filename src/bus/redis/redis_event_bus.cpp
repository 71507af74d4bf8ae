#include "bus/redis/redis_event_bus.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace flow {

namespace {

constexpr const char* kChannel = "flow:deliveries";
constexpr auto kRetryEvery = std::chrono::milliseconds(500);

bool subscribe(redisContext* c) {
    RedisReply reply(static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %s", kChannel)));
    return reply && reply->type != REDIS_REPLY_ERROR;
}

}  // namespace

RedisEventBus::RedisEventBus(const RedisAddress& address, std::string node_id, DeliverySink& sink,
                             std::function<void()> on_resync)
    : node_id_(std::move(node_id)), sink_(sink), on_resync_(std::move(on_resync)), publisher_(address) {
    thread_ = std::thread([this] { listen(); });
}

RedisEventBus::~RedisEventBus() {
    {
        std::lock_guard lock(listener_mutex_);
        stopping_ = true;
        // Wakes the subscriber out of its blocking read.
        if (listener_) ::shutdown(listener_->fd, SHUT_RDWR);
    }
    stopped_cv_.notify_all();
    thread_.join();
}

void RedisEventBus::publish(Delivery delivery) {
    const auto encoded = encode(delivery);
    sink_.deliver(encoded);
    const auto envelope = to_envelope(encoded, node_id_);
    publisher_.command("PUBLISH %s %b", kChannel, envelope.data(), envelope.size());
}

void RedisEventBus::listen() {
    bool lost = false;    // Redis went away after we had it: events may have been missed
    bool warned = false;  // once per outage
    for (;;) {
        redisContext* c = connect_redis(publisher_.address());
        if (c && subscribe(c)) {
            {
                std::lock_guard lock(listener_mutex_);
                if (stopping_) {
                    redisFree(c);
                    return;
                }
                listener_ = c;
            }
            listening_ = true;
            warned = false;
            spdlog::info("redis: subscribed to {} at {}:{}", kChannel, publisher_.address().host,
                         publisher_.address().port);
            if (lost && on_resync_) on_resync_();
            void* raw = nullptr;
            while (redisGetReply(c, &raw) == REDIS_OK) {
                RedisReply reply(static_cast<redisReply*>(raw));
                if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                    reply->element[2]->type == REDIS_REPLY_STRING)
                    relay(std::string(reply->element[2]->str, reply->element[2]->len));
            }
            listening_ = false;
            lost = true;
            std::lock_guard lock(listener_mutex_);
            listener_ = nullptr;
        }
        if (c) redisFree(c);
        std::unique_lock lock(listener_mutex_);
        if (stopping_) return;
        if (!warned)
            spdlog::warn("redis: not subscribed at {}:{}; retrying", publisher_.address().host,
                         publisher_.address().port);
        warned = true;
        stopped_cv_.wait_for(lock, kRetryEvery, [this] { return stopping_; });
        if (stopping_) return;
    }
}

void RedisEventBus::relay(const std::string& envelope) {
    auto delivery = from_envelope(envelope);
    if (!delivery) {
        spdlog::warn("redis: dropped a malformed delivery");
        return;
    }
    if (delivery->second == node_id_) return;  // delivered here when it was published
    sink_.deliver(delivery->first);
}

}  // namespace flow
