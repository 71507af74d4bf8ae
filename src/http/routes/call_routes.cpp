#include "http/routes/call_routes.hpp"

#include <boost/json/array.hpp>

#include "http/query_reader.hpp"
#include "wire/call_json.hpp"
#include "wire/call_request.hpp"
#include "wire/json_reader.hpp"
#include "wire/json_util.hpp"

namespace flow::http {

using wire::JsonReader;

namespace {

Response call_response(int status, const Result<Call>& call, const Caller& viewer) {
    if (!call) return Response::error(call.error());
    return Response::json(status, wire::to_json(*call, viewer.user_id));
}

void add_ice_servers_route(Router& router, const IceServerDirectory& ice_servers) {
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

}  // namespace

void add_call_routes(Router& router, CallService& calls, const IceServerDirectory& ice_servers) {
    router.add("POST", "/calls/make_call", Access::signed_in, [&calls](Request& request) {
        JsonReader in(request.body);
        const auto type_name = in.string("type");
        NewCall call;
        call.callee_id = in.optional_string("callee_id");
        call.chat_id = in.optional_string("chat_id");
        if (in.error()) return Response::error(*in.error());
        const auto type = call_type_from(type_name);
        if (!type) return Response::error(Error::invalid("invalid_field", "type must be audio or video"));
        call.type = *type;
        return call_response(201, calls.make_call(request.who(), call), request.who());
    });

    using Action = Result<Call> (CallService::*)(const Caller&, const std::string&);
    for (const auto& [path, action] : {std::pair<const char*, Action>{"/calls/{call_id}/accept", &CallService::accept},
                                       {"/calls/{call_id}/reject", &CallService::reject},
                                       {"/calls/{call_id}/end", &CallService::end}}) {
        router.add("POST", path, Access::signed_in, [&calls, action](Request& request) {
            return call_response(200, (calls.*action)(request.who(), request.param("call_id")), request.who());
        });
    }

    router.add("POST", "/calls/{call_id}/signal", Access::signed_in, [&calls](Request& request) {
        JsonReader in(request.body);
        auto signal = wire::read_call_signal(in);
        if (!signal) return Response::error(signal.error());
        const auto sent = calls.signal(request.who(), request.param("call_id"), *signal);
        return sent ? Response::no_content() : Response::error(sent.error());
    });

    router.add("GET", "/calls/history", Access::signed_in, [&calls](Request& request) {
        QueryReader query(request);
        const auto before = query.text("before");
        const int limit = query.limit();
        if (query.error()) return Response::error(*query.error());
        const auto page = calls.history(request.who(), before, limit);
        boost::json::array items;
        for (const auto& call : page.items) items.push_back(wire::to_json(call, request.who().user_id));
        return Response::json(200, {{"items", std::move(items)},
                                    {"next_before", wire::or_null(page.next_before)}});
    });

    router.add("GET", "/calls/history/{call_id}", Access::signed_in, [&calls](Request& request) {
        return call_response(200, calls.get(request.who(), request.param("call_id")), request.who());
    });

    add_ice_servers_route(router, ice_servers);
}

}  // namespace flow::http
