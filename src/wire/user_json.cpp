#include "wire/user_json.hpp"

namespace flow::wire {

namespace {

template <class T>
boost::json::value or_null(const std::optional<T>& value) {
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object to_json(const User& user) {
    return {{"id", user.id},
            {"phone", user.phone},
            {"name", user.name},
            {"about", user.about},
            {"image_id", or_null(user.image_id)},
            {"created_at", user.created_at},
            {"last_seen_at", or_null(user.last_seen_at)}};
}

}  // namespace flow::wire
