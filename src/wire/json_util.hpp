#pragma once

#include <boost/json/value.hpp>
#include <optional>

namespace flow::wire {

// The value, or JSON null when there is none.
template <class T>
boost::json::value or_null(const std::optional<T>& value) {
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace flow::wire
