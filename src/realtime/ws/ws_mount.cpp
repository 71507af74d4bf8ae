#include "realtime/ws/ws_mount.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "http/router.hpp"
#include "net/websocket/connection.hpp"
#include "net/websocket/handshake.hpp"
#include "realtime/ws/ws_session.hpp"
#include "http/server/beast_response.hpp"
#include "http/server/blocking_pool.hpp"

namespace flow::realtime::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Request = bhttp::request<bhttp::string_body>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The token of a /ws request: the Authorization header, else `?token=`.
std::string token_of(const Request& request) {
    if (auto token = http::bearer_token(request[bhttp::field::authorization]); !token.empty()) return token;
    if (auto url = boost::urls::parse_origin_form(request.target())) {
        auto it = url->params().find("token");
        if (it != url->params().end()) return (*it).value;
    }
    return {};
}

asio::awaitable<void> refuse(beast::tcp_stream& stream, const Request& request, Error error) {
    auto response = http::to_beast(http::Response::error(error), request.version(), false);
    co_await bhttp::async_write(stream, response, kTuple);
}

}  // namespace

http::Mount ws_mount(Context& context) {
    return [&context](http::OwnedConnection& connection, Request& request) -> asio::awaitable<http::Disposition> {
        auto& stream = connection->stream;
        if (!beast::websocket::is_upgrade(request)) {
            co_await refuse(stream, request, Error::invalid("not_websocket", "connect with a WebSocket"));
            co_return http::Disposition::close;
        }
        auto handshake = net::websocket::accept_response(request[bhttp::field::sec_websocket_key],
                                                         request[bhttp::field::sec_websocket_version]);
        if (!handshake) {
            co_await refuse(stream, request, Error::invalid("bad_handshake", "a WebSocket version 13 upgrade with a valid key"));
            co_return http::Disposition::close;
        }
        const auto token = token_of(request);
        auto caller = co_await http::offload(context.blocking, [&] {
            return token.empty() ? Result<Caller>(Error::unauthorized("unauthorized", "sign in first"))
                                 : context.auth.authenticate(token);
        });
        if (!caller) {
            co_await refuse(stream, request, caller.error());
            co_return http::Disposition::close;
        }
        // A device past its quota of sockets is refused before the upgrade, with 429.
        auto slot = context.quota.acquire(caller->session_id);
        if (!slot) {
            co_await refuse(stream, request, Context::too_many_sockets());
            co_return http::Disposition::close;
        }
        net::websocket::Options options;
        options.max_message_bytes = static_cast<std::uint32_t>(context.max_frame_bytes);
        options.max_outbound_bytes = context.max_outbound_bytes;
        options.idle_timeout = context.idle_timeout;
        auto [socket, counted] = connection->take_socket();
        connection.reset();
        auto websocket = std::make_shared<net::websocket::Connection>(std::move(socket), context.deadlines, options,
                                                                      std::move(counted));
        auto session = std::make_shared<WsSession>(std::move(websocket), context, std::move(*caller),
                                                                 std::move(*slot));
        session->start(std::move(*handshake));
        co_return http::Disposition::close;
    };
}

}  // namespace flow::realtime::ws
