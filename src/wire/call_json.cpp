#include "wire/call_json.hpp"

#include <boost/json/array.hpp>

#include "wire/json_util.hpp"

namespace flow::wire {

boost::json::object to_json(const Call& call) {
    boost::json::array participants;
    for (const auto& p : call.participants)
        participants.push_back({{"user_id", p.user_id}, {"state", to_string(p.state)}});
    return {{"id", call.id},
            {"type", to_string(call.type)},
            {"chat_id", call.chat_id},
            {"caller_id", call.caller_id},
            {"callee_id", or_null(call.callee_id)},
            {"participants", std::move(participants)},
            {"status", to_string(call.status)},
            {"created_at", call.created_at},
            {"answered_at", or_null(call.answered_at)},
            {"ended_at", or_null(call.ended_at)},
            {"duration_s", call.duration_s()}};
}

boost::json::object to_json(const Call& call, std::string_view viewer_id) {
    auto json = to_json(call);
    json["direction"] = viewer_id == call.caller_id ? "outgoing" : "incoming";
    return json;
}

}  // namespace flow::wire
