#include "http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace flow::http {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Whether `peer` is `proxy`: one address, or a network such as 172.16.0.0/12.
bool matches(const ip::address& peer, const std::string& proxy) {
    boost::system::error_code ec;
    if (proxy.find('/') == std::string::npos) {
        const auto address = ip::make_address(proxy, ec);
        return !ec && address == peer;
    }
    if (peer.is_v4()) {
        const auto network = ip::make_network_v4(proxy, ec);
        return !ec && ip::make_network_v4(peer.to_v4(), network.prefix_length()).canonical() == network.canonical();
    }
    const auto network = ip::make_network_v6(proxy, ec);
    return !ec && ip::make_network_v6(peer.to_v6(), network.prefix_length()).canonical() == network.canonical();
}

}  // namespace

bool is_trusted_proxy(std::string_view peer, const std::vector<std::string>& trusted_proxies) {
    boost::system::error_code ec;
    const auto address = ip::make_address(peer, ec);
    if (ec) return false;
    for (const auto& proxy : trusted_proxies)
        if (matches(address, proxy)) return true;
    return false;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
    if (trusted_proxies.empty() || !is_trusted_proxy(peer, trusted_proxies)) return std::string(peer);
    const auto last = forwarded_for.rfind(',');
    const auto client = trim(last == std::string_view::npos ? forwarded_for : forwarded_for.substr(last + 1));
    return client.empty() ? std::string(peer) : std::string(client);
}

}  // namespace flow::http
