#include "http/client_address.hpp"

#include <boost/asio/ip/address.hpp>

namespace flow::http {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries, std::string* error) {
    TrustedProxies proxies;
    for (const auto& raw : entries) {
        const std::string entry(trim(raw));
        boost::system::error_code ec;
        // One address is a network of one.
        const auto slash = entry.find('/');
        const auto address = ip::make_address(entry.substr(0, slash), ec);
        if (!ec && address.is_v4()) {
            const auto network = slash == std::string::npos ? ip::make_network_v4(address.to_v4(), 32)
                                                            : ip::make_network_v4(entry, ec);
            if (!ec) proxies.v4_.push_back(network.canonical());
        } else if (!ec) {
            const auto network = slash == std::string::npos ? ip::make_network_v6(address.to_v6(), 128)
                                                            : ip::make_network_v6(entry, ec);
            if (!ec) proxies.v6_.push_back(network.canonical());
        }
        if (ec) {
            if (error) *error = raw;
            return std::nullopt;
        }
    }
    return proxies;
}

bool TrustedProxies::contains(std::string_view peer) const {
    if (empty()) return false;
    boost::system::error_code ec;
    const auto address = ip::make_address(peer, ec);
    if (ec) return false;
    if (address.is_v4()) {
        for (const auto& network : v4_)
            if (ip::make_network_v4(address.to_v4(), network.prefix_length()).canonical() == network) return true;
        return false;
    }
    for (const auto& network : v6_)
        if (ip::make_network_v6(address.to_v6(), network.prefix_length()).canonical() == network) return true;
    return false;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for, const TrustedProxies& proxies) {
    if (!proxies.contains(peer)) return std::string(peer);
    const auto last = forwarded_for.rfind(',');
    const auto client = trim(last == std::string_view::npos ? forwarded_for : forwarded_for.substr(last + 1));
    return client.empty() ? std::string(peer) : std::string(client);
}

}  // namespace flow::http
