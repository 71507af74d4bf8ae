#include "bus/redis/redis_node_link.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace flow {

namespace {

constexpr const char* kChannel = "flow:deliveries";
constexpr auto kRetryEvery = std::chrono::milliseconds(500);

// What goes on the channel: the sender's id, a space, the bytes.
std::string tagged(const std::string& node_id, std::string_view bytes) {
    std::string message;
    message.reserve(node_id.size() + 1 + bytes.size());
    message.append(node_id).append(1, ' ').append(bytes);
    return message;
}

bool subscribe(redisContext* c) {
    RedisReply reply(static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %s", kChannel)));
    return reply && reply->type != REDIS_REPLY_ERROR;
}

}  // namespace

RedisNodeLink::RedisNodeLink(RedisAddress address, std::string node_id, std::size_t max_queued_bytes)
    : address_(std::move(address)), node_id_(std::move(node_id)), max_queued_bytes_(max_queued_bytes) {}

RedisNodeLink::~RedisNodeLink() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wakes the subscriber out of its blocking read.
        if (listener_) ::shutdown(listener_->fd, SHUT_RDWR);
    }
    queued_.notify_all();
    stopped_.notify_all();
    if (listener_thread_.joinable()) listener_thread_.join();
    if (publisher_thread_.joinable()) publisher_thread_.join();
}

void RedisNodeLink::start(Handlers handlers) {
    handlers_ = std::move(handlers);
    listener_thread_ = std::thread([this] { listen(); });
    publisher_thread_ = std::thread([this] { publish_queued(); });
}

void RedisNodeLink::send(std::string bytes) {
    // Tagged with this node, so that it can skip its own when Redis echoes them.
    std::string message = tagged(node_id_, bytes);
    {
        std::lock_guard lock(mutex_);
        if (queued_bytes_ + message.size() > max_queued_bytes_) {
            if (!dropping_)
                spdlog::warn("redis: {} bytes wait to be published; dropping deliveries for other nodes",
                             queued_bytes_);
            dropping_ = true;
            return;
        }
        dropping_ = false;
        queued_bytes_ += message.size();
        queue_.push_back(std::move(message));
    }
    queued_.notify_one();
}

void RedisNodeLink::publish_queued() {
    redisContext* publisher = nullptr;
    std::vector<std::string> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) break;  // stopping, with nothing left to publish
            batch.swap(queue_);
            queued_bytes_ = 0;
        }
        const bool published = publish(publisher, batch);
        batch.clear();
        if (!published && stopped_within(kRetryEvery)) break;
    }
    if (publisher) redisFree(publisher);
}

bool RedisNodeLink::publish(redisContext*& publisher, const std::vector<std::string>& batch) {
    if (!publisher) {
        publisher = connect_redis(address_);
        if (!publisher) {
            spdlog::warn("redis: cannot publish at {}:{}; dropped {} deliveries for other nodes", address_.host,
                         address_.port, batch.size());
            return false;
        }
        const timeval timeout{1, 0};
        redisSetTimeout(publisher, timeout);
    }
    for (const auto& message : batch)
        redisAppendCommand(publisher, "PUBLISH %s %b", kChannel, message.data(), message.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(publisher, &raw) != REDIS_OK) {
            spdlog::warn("redis: publishing at {}:{}: {}", address_.host, address_.port, publisher->errstr);
            redisFree(publisher);
            publisher = nullptr;
            return false;
        }
        RedisReply reply(static_cast<redisReply*>(raw));
    }
    return true;
}

std::optional<long long> RedisNodeLink::publish_now(const RedisAddress& address, const std::string& sender_id,
                                                    const std::vector<std::string>& batch) {
    redisContext* c = connect_redis(address);
    if (!c) return std::nullopt;
    const timeval timeout{2, 0};
    redisSetTimeout(c, timeout);
    std::optional<long long> heard = 0;
    for (const auto& bytes : batch) {
        const auto message = tagged(sender_id, bytes);
        RedisReply reply(static_cast<redisReply*>(
            redisCommand(c, "PUBLISH %s %b", kChannel, message.data(), message.size())));
        if (!reply || reply->type != REDIS_REPLY_INTEGER) {
            heard = std::nullopt;
            break;
        }
        heard = reply->integer;
    }
    redisFree(c);
    return heard;
}

bool RedisNodeLink::stopped_within(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    return stopped_.wait_for(lock, delay, [this] { return stopping_; });
}

void RedisNodeLink::listen() {
    bool lost = false;    // Redis went away after we had it: messages may have been missed
    bool warned = false;  // once per outage
    for (;;) {
        redisContext* c = connect_redis(address_);
        if (c && subscribe(c)) {
            {
                std::lock_guard lock(mutex_);
                if (stopping_) {
                    redisFree(c);
                    return;
                }
                listener_ = c;
            }
            listening_ = true;
            warned = false;
            spdlog::info("redis: subscribed to {} at {}:{}", kChannel, address_.host, address_.port);
            if (lost && handlers_.on_resync) handlers_.on_resync();
            void* raw = nullptr;
            while (redisGetReply(c, &raw) == REDIS_OK) {
                RedisReply reply(static_cast<redisReply*>(raw));
                if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
                    reply->element[2]->type == REDIS_REPLY_STRING)
                    relay(std::string_view(reply->element[2]->str, reply->element[2]->len));
            }
            listening_ = false;
            lost = true;
            std::lock_guard lock(mutex_);
            listener_ = nullptr;
        }
        if (c) redisFree(c);
        if (!warned)
            spdlog::warn("redis: not subscribed at {}:{}; retrying", address_.host, address_.port);
        warned = true;
        if (stopped_within(kRetryEvery)) return;
    }
}

void RedisNodeLink::relay(std::string_view message) {
    const auto space = message.find(' ');
    if (space == std::string_view::npos) return;
    if (message.substr(0, space) == node_id_) return;  // handed to this node's devices when sent
    handlers_.on_bytes(message.substr(space + 1));
}

}  // namespace flow
