#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "domain/call.hpp"

namespace flow::wire {

// A Call: `{id, type, chat_id, caller_id, callee_id, participants: [{user_id, state}],
// status, created_at, answered_at, ended_at, duration_s}`.
boost::json::object to_json(const Call& call);
// A Call in one participant's history: the above plus `direction`, "outgoing" for the
// caller and "incoming" for everyone else.
boost::json::object to_json(const Call& call, std::string_view viewer_id);

}  // namespace flow::wire
