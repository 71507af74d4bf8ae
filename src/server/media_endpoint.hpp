#pragma once

#include <boost/asio/thread_pool.hpp>
#include <chrono>

#include "server/mount.hpp"
#include "service/auth_service.hpp"
#include "service/media_service.hpp"

namespace flow::server {

// The routes media_mount answers, as the OpenAPI document names them.
inline constexpr const char* kMediaRoutes[] = {"post /media", "get /media/{media_id}"};

// POST /media (multipart/form-data with a part `file`, or the raw bytes) and
// GET /media/{media_id} (whole or by Range), streamed in and out in chunks so a large
// file is never held whole; the store is reached on the blocking pool. `io_timeout` is
// the longest a transfer may stall (not the time it may take).
StreamingMount media_mount(AuthService& auth, MediaService& media, boost::asio::thread_pool& blocking,
                           std::chrono::seconds io_timeout);

}  // namespace flow::server
