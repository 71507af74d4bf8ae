#include "wire/user_json.hpp"

#include "wire/json_util.hpp"

namespace flow::wire {

boost::json::object to_json(const User& user) {
    return {{"id", user.id},
            {"phone", is_deleted(user) ? std::string() : user.phone},
            {"name", user.name},
            {"about", user.about},
            {"image_id", or_null(user.image_id)},
            {"created_at", user.created_at},
            {"last_seen_at", or_null(user.last_seen_at)}};
}

}  // namespace flow::wire
