#pragma once

#include "http/router.hpp"
#include "service/media_service.hpp"

namespace flow::http {

// POST /media (multipart/form-data with a part `file`, or the raw bytes) and
// GET /media/{media_id} (whole or by Range): streaming routes, so that a large file comes
// in and goes out in chunks and is never held whole; the store is reached on the
// blocking pool.
void add_media_routes(Router& router, MediaService& media);

}  // namespace flow::http
