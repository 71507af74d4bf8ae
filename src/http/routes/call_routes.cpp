#include "http/routes/call_routes.hpp"

#include <boost/json/array.hpp>

namespace flow::http {

void add_call_routes(Router& router, const IceServerDirectory& ice_servers) {
    router.add("GET", "/calls/ice_servers", Access::signed_in, [&ice_servers](Request& request) {
        const auto servers = ice_servers.for_user(request.who().user_id);
        boost::json::array list;
        if (!servers.urls.empty()) {
            boost::json::object server{{"urls", boost::json::array(servers.urls.begin(), servers.urls.end())}};
            if (servers.login) {
                server["username"] = servers.login->username;
                server["credential"] = servers.login->credential;
            }
            list.push_back(std::move(server));
        }
        return Response::json(200, {{"ice_servers", std::move(list)}, {"ttl", servers.ttl_s}});
    });
}

}  // namespace flow::http
