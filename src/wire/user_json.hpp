#pragma once

#include <boost/json/object.hpp>

#include "domain/user.hpp"

namespace flow::wire {

// A User as clients see it: `{id, phone, name, about, image_id, created_at, last_seen_at}`.
boost::json::object to_json(const User& user);

}  // namespace flow::wire
