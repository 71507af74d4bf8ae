#include "http/routes/auth_routes.hpp"

#include "wire/device_json.hpp"
#include "wire/json_reader.hpp"
#include "wire/user_json.hpp"

namespace flow::http {

using wire::JsonReader;

namespace {

Response profile_update(const Request& request, UserService& users, bool name_required) {
    JsonReader in(request.body);
    ProfileChange change;
    change.name = name_required ? std::optional(in.string("name")) : in.optional_string("name");
    change.about = in.optional_string("about");
    change.image_id = in.nullable_string("image_id");
    if (in.error()) return Response::error(*in.error());
    auto user = users.update_profile(request.who().user_id, change);
    if (!user) return Response::error(user.error());
    return Response::json(200, wire::to_json(*user));
}

}  // namespace

void add_auth_routes(Router& router, AuthService& auth, UserService& users) {
    router.add("POST", "/auth/enter_number", Access::anyone, [&auth](Request& request) {
        JsonReader in(request.body);
        auto phone = in.string("phone");
        if (in.error()) return Response::error(*in.error());
        auto sent = auth.enter_number(phone, request.client_address);
        if (!sent) return Response::error(sent.error());
        return Response::json(200, {{"phone", sent->phone},
                                    {"expires_in", sent->expires_in},
                                    {"resend_in", sent->resend_in}});
    });

    router.add("POST", "/auth/verify_otp", Access::anyone, [&auth](Request& request) {
        JsonReader in(request.body);
        auto phone = in.string("phone");
        auto code = in.string("code");
        auto device = wire::read_device_info(in);
        if (in.error()) return Response::error(*in.error());
        if (!device) return Response::error(device.error());
        auto signed_in = auth.verify_otp(phone, code, *device);
        if (!signed_in) return Response::error(signed_in.error());
        return Response::json(200, {{"token", signed_in->token},
                                    {"user", wire::to_json(signed_in->user)},
                                    {"new_user", signed_in->new_user}});
    });

    router.add("POST", "/auth/register_user", Access::signed_in,
               [&users](Request& request) { return profile_update(request, users, true); });
    router.add("PUT", "/auth/modify_user", Access::signed_in,
               [&users](Request& request) { return profile_update(request, users, false); });

    router.add("POST", "/auth/logout", Access::signed_in, [&auth](Request& request) {
        auth.logout(request.who());
        return Response::no_content();
    });
}

}  // namespace flow::http
