#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace flow::http {
namespace {

const TrustedProxies kBalancers = *TrustedProxies::parse({"10.0.0.5", "::1"});

TEST(ClientAddress, ThePeerUnlessItIsATrustedBalancer) {
    EXPECT_EQ(client_address("203.0.113.7", "", kBalancers), "203.0.113.7");
    EXPECT_EQ(client_address("203.0.113.7", "198.51.100.1", kBalancers), "203.0.113.7")
        << "anyone else's X-Forwarded-For is ignored";
    EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1", TrustedProxies{}), "10.0.0.5") << "no balancer trusted";
}

TEST(ClientAddress, TheEntryTheBalancerAppended) {
    EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1", kBalancers), "198.51.100.1");
    EXPECT_EQ(client_address("::1", "1.2.3.4, 198.51.100.1", kBalancers), "198.51.100.1")
        << "a client's own X-Forwarded-For comes first and is not believed";
    EXPECT_EQ(client_address("10.0.0.5", " 1.2.3.4 ,  198.51.100.9  ", kBalancers), "198.51.100.9");
    EXPECT_EQ(client_address("10.0.0.5", "", kBalancers), "10.0.0.5") << "no header: the balancer itself";
    EXPECT_EQ(client_address("10.0.0.5", "1.2.3.4, ", kBalancers), "10.0.0.5");
}

TEST(ClientAddress, BalancersMayBeWholeNetworks) {
    const auto networks = *TrustedProxies::parse({"172.16.0.0/12", " fd00::/8"});
    EXPECT_EQ(client_address("172.18.0.3", "198.51.100.1", networks), "198.51.100.1");
    EXPECT_EQ(client_address("172.32.0.3", "198.51.100.1", networks), "172.32.0.3");
    EXPECT_EQ(client_address("fd12::7", "2001:db8::1", networks), "2001:db8::1");
    EXPECT_EQ(client_address("2001:db8::9", "2001:db8::1", networks), "2001:db8::9");
}

TEST(ClientAddress, ABadEntryIsRefusedAtStartNamingIt) {
    for (const std::string bad : {"not an address", "10.0.0.0/33", "10.0.0.5/", "fd00::/129", ""}) {
        std::string named;
        EXPECT_FALSE(TrustedProxies::parse({"10.0.0.1", bad}, &named)) << bad;
        EXPECT_EQ(named, bad);
    }
    EXPECT_TRUE(TrustedProxies::parse({}));
    EXPECT_TRUE(TrustedProxies::parse({"10.0.0.1"})->contains("10.0.0.1"));
    EXPECT_FALSE(TrustedProxies::parse({"10.0.0.1"})->contains("10.0.0.2"));
    EXPECT_FALSE(TrustedProxies::parse({"::1"})->contains("127.0.0.1")) << "v6 loopback is not v4's";
}

}  // namespace
}  // namespace flow::http
