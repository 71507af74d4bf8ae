#include "app/server_main.hpp"

#include <curl/curl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "app/periodic_task.hpp"
#include "app/services.hpp"
#include "common/log_format.hpp"
#include "common/thread_name.hpp"
#include "http/server/http_server.hpp"
#include "realtime/socketio/server.hpp"
#include "realtime/socketio_transport.hpp"
#include "realtime/engineio/server.hpp"
#include "realtime/ws/ws_mount.hpp"

namespace flow::app {

namespace asio = boost::asio;

namespace {

// After SIGTERM: waits (up to a deadline) for requests being answered to finish, so that
// what they wrote is acknowledged, then stops the I/O threads.
void drain_then_stop(asio::io_context& io, http::HttpServer& server,
                     std::shared_ptr<asio::steady_timer> timer,
                     std::chrono::steady_clock::time_point deadline) {
    if (!server.busy() || std::chrono::steady_clock::now() > deadline) {
        io.stop();
        return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([&io, &server, timer, deadline](auto) { drain_then_stop(io, server, timer, deadline); });
}

// The cap on open connections: as configured, or the descriptor limit less what the
// server needs besides (database, media files, Redis, SMS calls). The soft limit is raised
// to the hard one first, as far as it goes.
std::size_t connection_cap(const Config& config) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (config.max_connections > 0) return config.max_connections;
    if (limit.rlim_cur == RLIM_INFINITY) return 100'000;
    const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
    return std::max<std::size_t>(1, descriptors - std::min<std::size_t>(256, descriptors / 2));
}

// Says at start which backend does not answer (Redis, the S3 store, the database), as
// /health and /ready will: flowd starts anyway and uses each once it answers. Redis is
// given two seconds to connect, which it does in the background.
void warn_of_backends_down(Services& services) {
    auto report = services.health();
    for (int i = 0; i < 20 && report["bus"] != "ok"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        report = services.health();
    }
    for (const auto& [part, state] : report)
        if (state != "ok")
            spdlog::warn("the {} does not answer: flowd starts, /health says degraded and /ready 503 until it does",
                         part == "bus" ? "Redis bus" : part == "media" ? "media store" : "database");
}

// Test numbers sign in with codes anyone who reads the settings knows: said at start,
// every start, so that they are not left on unnoticed.
void warn_of_test_numbers(const OtpPolicy& otp) {
    if (otp.test_numbers.empty()) return;
    std::string numbers;
    for (const auto& [phone, code] : otp.test_numbers) numbers += (numbers.empty() ? "" : ", ") + phone;
    spdlog::warn("TEST NUMBERS ARE ON: {} sign in with fixed codes, never sent by SMS; anyone who knows "
                 "the codes can use these accounts (--test-numbers)", numbers);
}

// Where a browser on this machine reaches flowd: a wildcard address is reached at localhost.
std::string local_url(const std::string& host, unsigned short port) {
    const bool wildcard = host == "0.0.0.0" || host == "::" || host.empty();
    const bool ipv6 = host.find(':') != std::string::npos && !wildcard;
    return "http://" + (wildcard ? std::string("localhost") : ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

int run_server(const Config& config) {
    ::umask(077);  // the database, media and key files are the server's alone

    if (sodium_init() < 0) {
        spdlog::critical("libsodium failed to initialise");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    logs::configure(config.log_format == "json" ? logs::Format::json : logs::Format::text,
                    spdlog::level::from_str(config.log_level));

    // One per core less one: the database's threads (SQLite's writer and notifier, or the
    // blocking pool's queries) need a core too. On 2 cores one I/O thread cost 35 CPU-µs a
    // message saturating against 38-40 for two, which contended for one scheduler
    // (make bench, alternating runs).
    const int io_threads = config.io_threads > 0
                               ? config.io_threads
                               : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()) - 1);
    // Both before the services, so that they outlive them, and the pool before the
    // io_context: the sessions the hub still holds at exit, and the handlers the
    // io_context destroys when it goes (their coroutines stopped with it), own strands
    // of both.
    asio::thread_pool blocking(static_cast<std::size_t>(config.blocking_threads));
    asio::io_context io(io_threads);
    // Bound first: a port in use is said before the data dir, keys or database are touched.
    auto listener = http::bind_listener(io, config.host, config.port);
    Services services(config);
    const auto router = services.make_router();

    realtime::SocketQuota quota(config.max_sockets_per_device);
    net::DeadlineSweep deadlines(io.get_executor());
    deadlines.start();
    realtime::Context sockets{services.auth(), services.messages(), services.presence(),
                              services.gateway(), services.hub(), quota, blocking, deadlines,
                              config.max_outbound_bytes};
    http::HttpOptions http_options;
    http_options.trusted_proxies = *http::TrustedProxies::parse(config.trusted_proxies);  // checked by parse_config
    http_options.io_timeout = std::chrono::seconds(config.io_timeout_s);
    http_options.caps = {connection_cap(config), config.max_connections_per_address};
    http_options.cors = http::CorsPolicy(config.cors_origins);
    http::HttpServer http(io, blocking, *router, services.metrics(), http_options);
    http.mount("/ws", realtime::ws::ws_mount(sockets));

    realtime::engineio::EngineIoOptions engine_options;
    engine_options.max_queued_bytes = config.max_outbound_bytes;
    engine_options.cors = http_options.cors;
    realtime::socketio::SocketIoOptions socket_io_options;
    socket_io_options.max_attachment_bytes = engine_options.max_payload;
    realtime::socketio::SocketIoServer socket_io(socket_io_options);
    realtime::serve_socketio(socket_io.of("/"), sockets);
    realtime::engineio::EngineIoServer engine(io.get_executor(), deadlines, engine_options, socket_io.open_handler());
    http.mount("/socket.io/", engine.mount());
    http.listen(std::move(listener));
    PeriodicTask sweep(blocking, std::chrono::seconds(config.story_sweep_s), "the sweep of stories and media",
                       [&services] { services.sweep(); });
    sweep.start();
    PeriodicTask expiry_sweep(blocking, std::chrono::milliseconds(config.disappearing_sweep_ms),
                              "the sweep of disappearing messages", [&services] { services.sweep_expired_messages(); });
    expiry_sweep.start();
    // Checked every second, so a call stops ringing, or ends when abandoned, within a
    // second of its time.
    PeriodicTask ring_timeouts(blocking, std::chrono::seconds(1), "the timeouts of calls", [&services] {
        services.calls().ring_out_due();
        services.calls().end_abandoned();
    });
    ring_timeouts.start();
    PeriodicTask heartbeat(blocking, std::chrono::seconds(3), "the node's heartbeat", [&services] { services.heartbeat(); });
    heartbeat.start();
    warn_of_backends_down(services);
    warn_of_test_numbers(config.otp);
    const auto url = local_url(config.host, http.port());
    spdlog::info("flowd listening on {}:{} (storage: {}, media: {}, sms: {}, connections: {}, {} per address); "
                 "web app: {}/, API docs: {}/docs",
                 config.host, http.port(), services.storage().backend(),
                 config.media.starts_with("s3://") ? "s3" : "folder", config.sms.starts_with("webhook:") ? "webhook" : "log",
                 http_options.caps.total, http_options.caps.per_address, url, url);

    // The time shutdown may take, from the signal on: answering the requests under way,
    // and sending the sign-in codes still queued (then cancelled: libcurl takes up to a
    // second to notice); within the 10 s a supervisor gives before it kills.
    auto stop_by = std::chrono::steady_clock::now();
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: stopping", signal);
        stop_by = std::chrono::steady_clock::now() + std::chrono::seconds(8);
        http.stop_accepting();
        engine.close_all();
        drain_then_stop(io, http, std::make_shared<asio::steady_timer>(io), stop_by);
    });

    std::vector<std::thread> threads;
    for (int i = 1; i < io_threads; ++i)
        threads.emplace_back([&io] {
            name_this_thread("flow-io");
            io.run();
        });
    io.run();  // the main thread keeps the process's name, "flowd"
    for (auto& t : threads) t.join();
    deadlines.end_all();
    sweep.stop();
    expiry_sweep.stop();
    ring_timeouts.stop();
    heartbeat.stop();
    services.stop_thumbnails();
    blocking.join();
    services.stop_sms(stop_by);
    curl_global_cleanup();
    spdlog::info("flowd stopped");
    return 0;
}

}  // namespace flow::app
