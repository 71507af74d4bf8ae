#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace flow::http {

// Our load balancers: addresses, or networks such as 172.16.0.0/12, read once at start.
class TrustedProxies {
public:
    TrustedProxies() = default;
    // Each entry an IPv4 or IPv6 address or network; nullopt, naming the bad entry in
    // `error`, otherwise.
    static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries, std::string* error = nullptr);

    bool empty() const { return v4_.empty() && v6_.empty(); }
    // Whether `peer` (an address as text) is one of them.
    bool contains(std::string_view peer) const;

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

// The address a request came from, for per-address limits: the TCP peer, unless the peer
// is one of our load balancers, whose X-Forwarded-For header (`forwarded_for`, empty when
// absent) then names the client as its last entry — the one the balancer itself appended,
// so a client cannot pick its own by sending the header.
std::string client_address(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& proxies);

}  // namespace flow::http
