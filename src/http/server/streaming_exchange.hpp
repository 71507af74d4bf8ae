#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

#include "http/cors.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/server/request_body.hpp"

namespace flow::http {

// A streaming route's request on its connection (see Router::add_streaming): the parser
// that holds the request's header, through which the route reads the body as it comes,
// and what the route needs to answer on the connection.
struct StreamingExchange {
    StreamingExchange(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer, HeaderParser& header,
                      boost::asio::thread_pool& blocking, std::chrono::seconds io_timeout);

    // Whether the connection may carry another request after this answer: only when the
    // request's body is behind us, read or thrown away (see discard_body). Asked once,
    // before the answer's header is written.
    boost::asio::awaitable<bool> settle_body();
    // Sends a whole answer.
    boost::asio::awaitable<Disposition> answer(Response response);

    boost::beast::tcp_stream& stream;
    boost::beast::flat_buffer& buffer;
    HeaderParser& header;               // spent once the route reads the body
    boost::asio::thread_pool& blocking;  // for the store, through offload
    const std::chrono::seconds io_timeout;  // the longest a transfer may stall
    const unsigned version;
    const bool head;
    bool keep_alive;      // false once the connection must close after the answer
    bool body_done;       // the request's body has been read (or there is none)
    int status = 0;       // of the answer sent, for the log and metrics
    HeaderList headers;   // what every answer to it carries (CORS)
};

}  // namespace flow::http
