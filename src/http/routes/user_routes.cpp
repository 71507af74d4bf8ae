#include "http/routes/user_routes.hpp"

#include <boost/json/array.hpp>

#include "wire/json_reader.hpp"
#include "wire/user_json.hpp"

namespace flow::http {

using wire::JsonReader;

namespace {

Response user_response(Result<User> user) {
    if (!user) return Response::error(user.error());
    return Response::json(200, wire::to_json(*user));
}

}  // namespace

void add_user_routes(Router& router, UserService& users, AccountService& accounts) {
    router.add("GET", "/users/me", Access::signed_in, [&users](Request& request) {
        return user_response(users.get(request.who().user_id, request.who().user_id));
    });

    router.add("DELETE", "/users/me", Access::signed_in, [&accounts](Request& request) {
        accounts.delete_account(request.who());
        return Response::no_content();
    });

    // Any signed-in user may see a profile by id, as a messenger shows the name and picture
    // of whoever writes in a shared chat.
    router.add("GET", "/users/{user_id}", Access::signed_in, [&users](Request& request) {
        return user_response(users.get(request.who().user_id, request.param("user_id")));
    });

    router.add("POST", "/users/lookup", Access::signed_in, [&users](Request& request) {
        JsonReader in(request.body);
        auto phones = in.string_array("phones");
        if (in.error()) return Response::error(*in.error());
        auto found = users.lookup(request.who().user_id, phones);
        if (!found) return Response::error(found.error());
        boost::json::array items;
        for (const auto& user : *found) items.push_back(wire::to_json(user));
        return Response::json(200, {{"items", std::move(items)}});
    });
}

}  // namespace flow::http
