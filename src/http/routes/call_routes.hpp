#pragma once

#include "http/router.hpp"
#include "service/ice_servers.hpp"

namespace flow::http {

// /calls/*: the ICE servers (STUN/TURN with short-lived credentials) for calls.
void add_call_routes(Router& router, const IceServerDirectory& ice_servers);

}  // namespace flow::http
