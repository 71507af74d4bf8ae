#include "http/routes/block_routes.hpp"

#include <boost/json/array.hpp>

#include "wire/user_json.hpp"

namespace flow::http {

void add_block_routes(Router& router, BlockService& blocks) {
    router.add("POST", "/users/{user_id}/block", Access::signed_in, [&blocks](Request& request) {
        if (auto done = blocks.block(request.who(), request.param("user_id")); !done)
            return Response::error(done.error());
        return Response::no_content();
    });

    router.add("DELETE", "/users/{user_id}/block", Access::signed_in, [&blocks](Request& request) {
        if (auto done = blocks.unblock(request.who(), request.param("user_id")); !done)
            return Response::error(done.error());
        return Response::no_content();
    });

    router.add("GET", "/users/blocked", Access::signed_in, [&blocks](Request& request) {
        boost::json::array items;
        for (const auto& user : blocks.blocked(request.who())) items.push_back(wire::to_json(user));
        return Response::json(200, {{"items", std::move(items)}});
    });
}

}  // namespace flow::http
