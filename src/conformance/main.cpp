// flow-sio-conformance: the Engine.IO and Socket.IO servers with the behaviour the
// official protocol test suites expect, for those suites and Flow's own Node tests.
//   /engine.io/  echoes every message, text and binary
//   /socket.io/  "/" and "/custom": emits `auth` with the CONNECT payload, answers
//                `message` with `message-back` and `message-with-ack` with an ack
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/metrics.hpp"
#include "http/router.hpp"
#include "net/deadline_sweep.hpp"
#include "realtime/socketio/server.hpp"
#include "realtime/engineio/server.hpp"
#include "http/server/http_server.hpp"

namespace {

using namespace flow;
using namespace std::chrono_literals;
namespace eio = realtime::engineio;
namespace sio = realtime::socketio;

// Sends every Engine.IO message back as it came.
class Echo final : public eio::EngineListener {
public:
    explicit Echo(const eio::EngineSocketPtr& socket) : socket_(socket) {}
    void on_message(std::string data, bool binary) override {
        if (auto socket = socket_.lock())
            socket->send(eio::Frame{std::make_shared<const std::string>(std::move(data)), binary});
    }
    void on_close(std::string_view) override {}

private:
    std::weak_ptr<eio::EngineSocket> socket_;
};

void serve_conformance(sio::Namespace& nsp) {
    nsp.on_connection([](const sio::SocketPtr& socket) { socket->emit("auth", {{socket->auth()}, {}}); });
    nsp.on("message", [](const sio::SocketPtr& socket, const std::string&, sio::Args args, sio::Ack) {
        socket->emit("message-back", std::move(args));
    });
    nsp.on("message-with-ack", [](const sio::SocketPtr&, const std::string&, sio::Args args, sio::Ack ack) {
        if (ack) ack(std::move(args));
    });
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Engine.IO v4 / Socket.IO v5 conformance server"};
    std::string host = "127.0.0.1";
    unsigned short port = 3000;
    std::string log_level = "warn";
    cli.add_option("--host", host, "address to listen on");
    cli.add_option("--port", port, "port to listen on (0: any free port)");
    cli.add_option("--log-level", log_level, "trace, debug, info, warn, error");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::from_str(log_level));

    boost::asio::io_context io(2);
    boost::asio::thread_pool pool(1);
    const http::Router router([](const std::string&) -> http::Router::Authenticator::result_type {
        return Error::unauthorized("no_accounts", "this server has no accounts");
    });
    Metrics metrics;
    http::HttpServer http(io, pool, router, metrics, {});

    eio::EngineIoOptions options;
    options.ping_interval = 300ms;
    options.ping_timeout = 200ms;
    options.max_payload = 1'000'000;

    // Heartbeats of a few hundred milliseconds want a finer sweep than flowd's second.
    net::DeadlineSweep deadlines(io.get_executor(), 20ms);
    deadlines.start();
    eio::EngineIoServer echo(io.get_executor(), deadlines, options,
                                          [](const eio::EngineSocketPtr& socket) { return std::make_shared<Echo>(socket); });
    sio::SocketIoServer socket_io({.connect_timeout = 1000ms});
    serve_conformance(socket_io.of("/"));
    serve_conformance(socket_io.of("/custom"));
    eio::EngineIoServer engine(io.get_executor(), deadlines, options, socket_io.open_handler());

    http.mount("/engine.io/", echo.mount());
    http.mount("/socket.io/", engine.mount());
    http.listen(http::bind_listener(io, host, port));
    std::printf("listening on %s:%u\n", host.c_str(), static_cast<unsigned>(http.port()));
    std::fflush(stdout);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        http.stop_accepting();
        echo.close_all();
        engine.close_all();
        deadlines.stop();
        io.stop();
    });

    std::thread second([&io] { io.run(); });
    io.run();
    second.join();
    deadlines.end_all();
    pool.join();
    return 0;
}
