#include "http/routes/device_routes.hpp"

#include <boost/json/array.hpp>

#include "wire/device_json.hpp"

namespace flow::http {

void add_device_routes(Router& router, DeviceService& devices, std::string vapid_public_key) {
    router.add("GET", "/push/vapid_public_key", Access::anyone, [key = std::move(vapid_public_key)](Request&) {
        return Response::json(200, {{"key", key}});
    });

    router.add("GET", "/devices", Access::signed_in, [&devices](Request& request) {
        boost::json::array items;
        for (const auto& device : devices.list(request.who()))
            items.push_back(wire::to_json(device, device.id == request.who().session_id));
        return Response::json(200, {{"items", std::move(items)}});
    });

    router.add("PUT", "/devices/current/push", Access::signed_in, [&devices](Request& request) {
        auto registration = wire::read_push_registration(request.body);
        if (!registration) return Response::error(registration.error());
        return Response::done(devices.register_push(request.who(), *registration));
    });

    router.add("DELETE", "/devices/current/push", Access::signed_in, [&devices](Request& request) {
        devices.unregister_push(request.who());
        return Response::no_content();
    });

    router.add("DELETE", "/devices/{device_id}", Access::signed_in, [&devices](Request& request) {
        return Response::done(devices.remove(request.who(), request.param("device_id")));
    });
}

}  // namespace flow::http
