#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

namespace flow {

// Where a Redis server is, from a `redis://[:password@]host[:port][/db]` URL.
struct RedisAddress {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;
    int db = 0;
};
// Throws std::invalid_argument for anything else.
RedisAddress parse_redis_url(const std::string& url);

struct RedisReplyDeleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A new connection to `address` with its password and database applied, and TCP
// keep-alive; nullptr when Redis cannot be reached. Connecting waits at most a second.
redisContext* connect_redis(const RedisAddress& address);

// One connection for commands, made on first use and again after it breaks, but at most
// once per half second while Redis is away, so callers fail fast then. A command waits
// for Redis at most a second. Blocking; thread-safe (one command at a time).
class RedisConnection {
public:
    explicit RedisConnection(RedisAddress address) : address_(std::move(address)) {}
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // The reply to the command (hiredis's printf-like format), or nullptr when Redis could
    // not be reached or answered with an error.
    template <class... Args>
    RedisReply command(const char* format, Args... args) {
        std::lock_guard lock(mutex_);
        if (!ready()) return nullptr;
        RedisReply reply(static_cast<redisReply*>(redisCommand(context_, format, args...)));
        return checked(std::move(reply));
    }

    // The same with the command as a list of arguments, each taken as it is (any bytes).
    RedisReply command_argv(const std::vector<std::string>& args);

    const RedisAddress& address() const { return address_; }

private:
    bool ready();
    RedisReply checked(RedisReply reply);

    const RedisAddress address_;
    std::mutex mutex_;
    redisContext* context_ = nullptr;
    std::chrono::steady_clock::time_point retry_at_{};
};

}  // namespace flow
