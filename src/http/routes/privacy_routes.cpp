#include "http/routes/privacy_routes.hpp"

#include "wire/privacy_json.hpp"

namespace flow::http {

void add_privacy_routes(Router& router, PrivacyService& privacy) {
    router.add("GET", "/users/me/privacy", Access::signed_in, [&privacy](Request& request) {
        return Response::json(200, wire::to_json(privacy.get(request.who().user_id)));
    });

    router.add("PUT", "/users/me/privacy", Access::signed_in, [&privacy](Request& request) {
        auto change = wire::privacy_change_from(request.body);
        if (!change) return Response::error(change.error());
        auto settings = privacy.update(request.who().user_id, *change);
        if (!settings) return Response::error(settings.error());
        return Response::json(200, wire::to_json(*settings));
    });
}

}  // namespace flow::http
