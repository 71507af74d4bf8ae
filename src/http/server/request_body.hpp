#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstddef>

// Reading request bodies and writing answers on a keep-alive connection: the timeouts
// count inactivity, not a whole transfer, and a body nobody reads is never taken for
// the next request.
namespace flow::http {

using HeaderParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

// The most of an unread request body the server reads and throws away to keep the
// connection open; with a larger one it closes the connection after answering.
inline constexpr std::size_t kDiscardLimit = 64 * 1024;

// Whether the client holds the body back until it hears "100 Continue".
bool expects_continue(const HeaderParser& header);

// Sends "100 Continue" when the client waits for it before sending the body the server is
// about to read; nothing otherwise.
boost::asio::awaitable<boost::beast::error_code> continue_if_expected(boost::beast::tcp_stream& stream,
                                                                      const HeaderParser& header,
                                                                      std::chrono::seconds timeout);

// The one rule for answering a request without reading its body (a refusal, a download
// with a body): reads what is left of the body and throws it away, so that the
// connection's next request starts where it should. False when the connection must be
// closed after the answer instead: a body over kDiscardLimit, one held back for
// 100 Continue, or a read that failed. Spends `header` when it reads.
boost::asio::awaitable<bool> discard_body(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                          HeaderParser& header, std::chrono::seconds timeout);

// Ends a connection the server is done with so that the client still reads the last
// answer: closing a socket with unread bytes in it sends a reset, which can make the
// client's kernel drop an answer it has not read yet (a 413 to a body still being sent).
// So this stops sending, then reads and throws away what still comes, until the client
// closes too or `linger` passes (nginx's lingering close).
boost::asio::awaitable<void> close_gracefully(boost::beast::tcp_stream& stream,
                                              std::chrono::milliseconds linger = std::chrono::seconds(2));

// Reads into `parser` until the message ends or its body buffer is full (a buffer_body),
// with `timeout` for each read rather than for all: a slow link that keeps sending is
// never cut off, a silent one is.
template <class Parser>
boost::asio::awaitable<boost::beast::error_code> read_body_some(boost::beast::tcp_stream& stream,
                                                                boost::beast::flat_buffer& buffer, Parser& parser,
                                                                std::chrono::seconds timeout) {
    namespace bhttp = boost::beast::http;
    while (!parser.is_done()) {
        stream.expires_after(timeout);
        auto [ec, bytes] = co_await bhttp::async_read_some(stream, buffer, parser,
                                                           boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == bhttp::error::need_buffer) break;
        if (ec) co_return ec;
    }
    co_return boost::beast::error_code{};
}

// Writes what `serializer` holds (for a buffer_body, up to the end of its buffer), with
// `timeout` for each write rather than for all.
template <class Serializer>
boost::asio::awaitable<boost::beast::error_code> write_some_answer(boost::beast::tcp_stream& stream,
                                                                   Serializer& serializer,
                                                                   std::chrono::seconds timeout) {
    namespace bhttp = boost::beast::http;
    while (!serializer.is_done()) {
        stream.expires_after(timeout);
        auto [ec, bytes] = co_await bhttp::async_write_some(stream, serializer,
                                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == bhttp::error::need_buffer) break;
        if (ec) co_return ec;
    }
    co_return boost::beast::error_code{};
}

}  // namespace flow::http
