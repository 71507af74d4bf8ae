#include "http/server/request_body.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>

namespace flow::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

bool expects_continue(const HeaderParser& header) {
    const auto& request = header.get();
    return !header.is_done() && request.version() >= 11 &&
           beast::iequals(request[bhttp::field::expect], "100-continue");
}

asio::awaitable<beast::error_code> continue_if_expected(beast::tcp_stream& stream, const HeaderParser& header,
                                                        std::chrono::seconds timeout) {
    if (!expects_continue(header)) co_return beast::error_code{};
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.expires_after(timeout);
    auto [ec, bytes] = co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                                  asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

asio::awaitable<bool> discard_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                                   std::chrono::seconds timeout) {
    if (header.is_done()) co_return true;
    if (expects_continue(header)) co_return false;  // it will not come unless asked for
    const auto length = header.content_length();
    if (length && *length > kDiscardLimit) co_return false;
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(header));
    parser.body_limit(kDiscardLimit);  // chunked bodies too
    std::array<char, 8192> scratch;
    while (!parser.is_done()) {
        parser.get().body().data = scratch.data();
        parser.get().body().size = scratch.size();
        if (auto ec = co_await read_body_some(stream, buffer, parser, timeout)) co_return false;
    }
    co_return true;
}

asio::awaitable<void> close_gracefully(beast::tcp_stream& stream, std::chrono::milliseconds linger) {
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    stream.expires_after(linger);
    std::array<char, 8192> scratch;
    for (;;) {
        auto [read_ec, bytes] = co_await stream.async_read_some(asio::buffer(scratch),
                                                                asio::as_tuple(asio::use_awaitable));
        if (read_ec) co_return;  // the client closed, or the time is up
    }
}

}  // namespace flow::http
