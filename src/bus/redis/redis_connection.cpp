#include "bus/redis/redis_connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace flow {

namespace {

constexpr auto kRetryEvery = std::chrono::milliseconds(500);

bool ok(const RedisReply& reply) { return reply && reply->type != REDIS_REPLY_ERROR; }

}  // namespace

RedisAddress parse_redis_url(const std::string& url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || parsed->scheme() != "redis")
        throw std::invalid_argument("a Redis URL is redis://[:password@]host[:port][/db]: " + url);
    RedisAddress address;
    if (!parsed->host().empty()) address.host = parsed->host();
    if (parsed->has_port()) address.port = parsed->port_number();
    if (parsed->has_password()) address.password = parsed->password();
    const auto path = parsed->path();
    if (path.size() > 1) address.db = std::stoi(std::string(path.substr(1)));
    return address;
}

redisContext* connect_redis(const RedisAddress& address) {
    const timeval timeout{1, 0};
    redisContext* c = redisConnectWithTimeout(address.host.c_str(), address.port, timeout);
    if (!c || c->err) {
        if (c) redisFree(c);
        return nullptr;
    }
    redisEnableKeepAlive(c);
    const auto run = [c](const char* format, auto... args) {
        return ok(RedisReply(static_cast<redisReply*>(redisCommand(c, format, args...))));
    };
    if ((!address.password.empty() && !run("AUTH %s", address.password.c_str())) ||
        (address.db != 0 && !run("SELECT %d", address.db))) {
        redisFree(c);
        return nullptr;
    }
    return c;
}

RedisConnection::~RedisConnection() {
    if (context_) redisFree(context_);
}

RedisReply RedisConnection::command_argv(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    std::lock_guard lock(mutex_);
    if (!ready()) return nullptr;
    RedisReply reply(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    return checked(std::move(reply));
}

bool RedisConnection::ready() {
    if (context_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) return false;
    retry_at_ = now + kRetryEvery;
    context_ = connect_redis(address_);
    if (!context_) return false;
    const timeval timeout{1, 0};
    redisSetTimeout(context_, timeout);
    return true;
}

RedisReply RedisConnection::checked(RedisReply reply) {
    if (!reply) {
        // The connection is broken (or timed out mid-reply): start afresh next time.
        spdlog::warn("redis: {}:{}: {}", address_.host, address_.port, context_->errstr);
        redisFree(context_);
        context_ = nullptr;
        return nullptr;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        spdlog::warn("redis: {}", std::string(reply->str, reply->len));
        return nullptr;
    }
    return reply;
}

}  // namespace flow
