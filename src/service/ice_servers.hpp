#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/turn_credentials.hpp"
#include "common/clock.hpp"

namespace flow {

// The STUN/TURN servers a client should use for its calls' peer connections.
struct IceServers {
    std::vector<std::string> urls;
    std::optional<TurnCredential> login;  // absent without a TURN secret
    long long ttl_s = 0;
};

// Hands each caller short-lived TURN credentials for the configured servers
// (`--turn-urls`, `--turn-secret`). Thread-safe.
class IceServerDirectory {
public:
    IceServerDirectory(std::vector<std::string> urls, std::string secret, const Clock& clock,
                       long long ttl_s = 3600)
        : urls_(std::move(urls)), secret_(std::move(secret)), clock_(clock), ttl_s_(ttl_s) {}

    IceServers for_user(const std::string& user_id) const;

private:
    std::vector<std::string> urls_;
    std::string secret_;
    const Clock& clock_;
    long long ttl_s_;
};

}  // namespace flow
