#pragma once

#include <boost/json/object.hpp>

#include "domain/media.hpp"

namespace flow::wire {

// A Media object: `{id, kind, mime, size, sha256, created_at}` plus `width`, `height` and
// `duration_ms` where known.
boost::json::object to_json(const Media& media);

}  // namespace flow::wire
