#include "service/ice_servers.hpp"

namespace flow {

IceServers IceServerDirectory::for_user(const std::string& user_id) const {
    IceServers servers{urls_, std::nullopt, ttl_s_};
    if (!secret_.empty())
        servers.login = make_turn_credential(secret_, user_id, clock_.now_ms() / 1000 + ttl_s_);
    return servers;
}

}  // namespace flow
