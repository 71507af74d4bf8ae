#pragma once

#include <chrono>
#include <cstddef>

#include "http/cors.hpp"

namespace flow::realtime::engineio {

// How an Engine.IO server treats its sessions. The defaults are the reference server's.
struct EngineIoOptions {
    std::chrono::milliseconds ping_interval{25000};    // the server pings this often
    std::chrono::milliseconds ping_timeout{20000};     // and closes a session not answering within
    std::chrono::milliseconds upgrade_timeout{10000};  // a WebSocket probing an upgrade must finish within
    std::chrono::milliseconds close_timeout{30000};    // a closing polling session waits this long for a GET
    std::size_t max_payload = 1'000'000;  // the largest POST body or WebSocket message taken
    bool allow_upgrades = true;           // polling sessions may move to a WebSocket
    // Bytes a session may hold for a client that has not read them yet; past this the
    // client reads too slowly and the session is closed ("slow consumer"), so that one
    // client never holds an unbounded share of memory.
    std::size_t max_queued_bytes = 8 * 1024 * 1024;
    // Which web apps of other origins may poll (their answers carry the CORS headers).
    http::CorsPolicy cors;
};

}  // namespace flow::realtime::engineio
