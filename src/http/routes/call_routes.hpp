#pragma once

#include "http/router.hpp"
#include "service/call_service.hpp"
#include "service/ice_servers.hpp"

namespace flow::http {

// /calls/*: making and answering calls, signalling, history, and the ICE servers
// (STUN/TURN with short-lived credentials) calls use.
void add_call_routes(Router& router, CallService& calls, const IceServerDirectory& ice_servers);

}  // namespace flow::http
