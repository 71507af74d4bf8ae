#include "http/server/streaming_exchange.hpp"

#include <boost/beast/http.hpp>

#include "http/server/beast_response.hpp"

namespace flow::http {

namespace bhttp = boost::beast::http;

StreamingExchange::StreamingExchange(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                     HeaderParser& header, boost::asio::thread_pool& blocking,
                                     std::chrono::seconds io_timeout)
    : stream(stream), buffer(buffer), header(header), blocking(blocking), io_timeout(io_timeout),
      version(header.get().version()), head(header.get().method() == bhttp::verb::head),
      keep_alive(header.get().keep_alive()), body_done(header.is_done()) {}

boost::asio::awaitable<bool> StreamingExchange::settle_body() {
    if (keep_alive && !body_done) {
        body_done = co_await discard_body(stream, buffer, header, io_timeout);
        keep_alive = body_done;
    }
    co_return keep_alive;
}

boost::asio::awaitable<Disposition> StreamingExchange::answer(Response response) {
    status = response.status;
    response.headers.insert(response.headers.end(), headers.begin(), headers.end());
    const bool keep = co_await settle_body();
    auto out = to_beast(std::move(response), version, keep, head);
    bhttp::response_serializer<bhttp::string_body> serializer(out);
    auto ec = co_await write_some_answer(stream, serializer, io_timeout);
    co_return ec || !keep ? Disposition::close : Disposition::keep_alive;
}

}  // namespace flow::http
