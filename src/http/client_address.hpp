#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flow::http {

// The address a request came from, for per-address limits: the TCP peer, unless the peer
// is one of our load balancers (`trusted_proxies`: addresses, or networks such as
// 172.16.0.0/12), whose X-Forwarded-For header
// (`forwarded_for`, empty when absent) then names the client as its last entry — the
// one the balancer itself appended, so a client cannot pick its own by sending the
// header.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

// Whether `peer` is one of `trusted_proxies` (addresses or networks).
bool is_trusted_proxy(std::string_view peer, const std::vector<std::string>& trusted_proxies);

}  // namespace flow::http
