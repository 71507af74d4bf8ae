#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "domain/events.hpp"

namespace flow::wire {

// An event's name on the wire ("message:new") and its data, as both real-time
// transports send them.
struct EncodedEvent {
    std::string_view name;
    boost::json::value data;
};

EncodedEvent to_json(const Event& event);

}  // namespace flow::wire
