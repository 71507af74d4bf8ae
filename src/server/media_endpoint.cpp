#include "server/media_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>

#include "http/multipart_reader.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "server/beast_response.hpp"
#include "common/utf8.hpp"
#include "server/blocking_pool.hpp"
#include "wire/media_json.hpp"
#include "wire/text_check.hpp"

namespace flow::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using HeaderParser = bhttp::request_parser<bhttp::empty_body>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr std::chrono::seconds kIoTimeout{30};

// The route template of a request, for the log.
std::string_view route_of(const bhttp::request<bhttp::empty_body>& request) {
    return request.method() == bhttp::verb::post ? "/media" : "/media/{media_id}";
}

// Sends a whole answer; keep-alive only when the request body has been read.
asio::awaitable<Disposition> answer(beast::tcp_stream& stream, const HeaderParser& header,
                                    http::Response response, bool body_read) {
    const auto& request = header.get();
    const int status = response.status;
    const bool keep_alive = body_read && request.keep_alive();
    auto out = to_beast(std::move(response), request.version(), keep_alive);
    stream.expires_after(kIoTimeout);
    auto [ec, bytes] = co_await bhttp::async_write(stream, out, kTuple);
    spdlog::info("{} {} {}", request.method_string(), route_of(request), status);
    co_return ec || !keep_alive ? Disposition::close : Disposition::keep_alive;
}

http::Response error(const Error& e) { return http::Response::error(e); }

// Reads the request body in chunks, handing each to `sink` (on the blocking pool, in order).
asio::awaitable<Status> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                                  asio::thread_pool& blocking,
                                  const std::function<Status(std::string_view)>& sink) {
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(header));
    parser.body_limit(boost::none);
    std::vector<char> chunk(kChunkBytes);
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        stream.expires_after(kIoTimeout);
        auto [ec, bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) co_return Error::invalid("bad_request", "the upload broke off: " + ec.message());
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (got == 0) continue;
        auto status = co_await offload(blocking, [&] { return sink(std::string_view(chunk.data(), got)); });
        if (!status) co_return status;
    }
    co_return Ok{};
}

// A `Range: bytes=a-b` header against an object of `size` bytes: the [first, last]
// range, nullopt for none (the whole object), or an Error for one that is unsatisfiable.
Result<std::optional<std::pair<std::uint64_t, std::uint64_t>>> parse_range(std::string_view header,
                                                                           std::uint64_t size) {
    using Range = std::optional<std::pair<std::uint64_t, std::uint64_t>>;
    if (header.empty() || !header.starts_with("bytes=") || header.find(',') != std::string_view::npos)
        return Range{};  // absent, or a form we do not serve partially: the whole object
    auto spec = header.substr(6);
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return Range{};
    const auto number = [](std::string_view text) -> std::optional<std::uint64_t> {
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
        return value;
    };
    const auto first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
    std::uint64_t first = 0, last = size ? size - 1 : 0;
    if (first_text.empty()) {  // the last N bytes
        auto n = number(last_text);
        if (!n) return Range{};
        if (*n == 0 || size == 0) return Error{ErrorKind::invalid_argument, "range_not_satisfiable", "empty range", {}};
        first = *n >= size ? 0 : size - *n;
    } else {
        auto a = number(first_text);
        if (!a) return Range{};
        first = *a;
        if (!last_text.empty()) {
            auto b = number(last_text);
            if (!b || *b < first) return Range{};
            last = std::min(*b, size - 1);
        }
        if (first >= size) return Error{ErrorKind::invalid_argument, "range_not_satisfiable", "the range starts past the end", {}};
    }
    return Range{std::pair{first, last}};
}

asio::awaitable<Disposition> upload(beast::tcp_stream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                                    const Caller& caller, MediaService& media, asio::thread_pool& blocking) {
    const auto length = header.content_length();
    // (Each answer is built before the co_await: g++ 12 mishandles temporaries inside it.)
    if (length && *length > media.max_upload_bytes()) {
        auto refused = error({ErrorKind::too_large, "too_large",
                              "the file is larger than " + std::to_string(media.max_upload_bytes()) + " bytes", {}});
        co_return co_await answer(stream, header, std::move(refused), false);
    }
    const std::string content_type(header.get()[bhttp::field::content_type]);
    auto upload = co_await offload(blocking, [&] { return media.begin_upload(caller); });

    std::optional<http::MultipartReader> form;
    if (content_type.starts_with("multipart/")) {
        auto boundary = http::multipart_boundary(content_type);
        if (!boundary) {
            auto refused = error(Error::invalid("invalid_multipart", "no multipart boundary"));
            co_return co_await answer(stream, header, std::move(refused), false);
        }
        form.emplace(*boundary, "file", [&](std::string_view bytes) { return upload->append(bytes); });
    }
    auto status = co_await read_body(stream, buffer, header, blocking, [&](std::string_view bytes) {
        return form ? form->feed(bytes) : upload->append(bytes);
    });
    if (status && form) status = form->finish();
    if (!status) {
        auto refused = error(status.error());
        co_return co_await answer(stream, header, std::move(refused), false);
    }
    auto stored = co_await offload(blocking, [&] { return upload->finish(); });
    auto response = stored ? http::Response::json(201, wire::to_json(*stored)) : error(stored.error());
    co_return co_await answer(stream, header, std::move(response), true);
}

asio::awaitable<Disposition> download(beast::tcp_stream& stream, HeaderParser& header, const Caller& caller,
                                      const std::string& media_id, MediaService& media, asio::thread_pool& blocking) {
    auto found = co_await offload(blocking, [&] { return media.open(caller, media_id); });
    if (!found) {
        auto refused = error(found.error());
        co_return co_await answer(stream, header, std::move(refused), true);
    }
    const std::string etag = "\"" + found->sha256 + "\"";
    if (header.get()[bhttp::field::if_none_match] == etag) {
        auto not_modified = http::Response::text(304, "", "");
        not_modified.headers.emplace_back("ETag", etag);
        co_return co_await answer(stream, header, std::move(not_modified), true);
    }
    auto range = parse_range(header.get()[bhttp::field::range], found->size);
    if (!range) {
        auto refused = error(range.error());
        refused.status = 416;
        refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(found->size));
        co_return co_await answer(stream, header, std::move(refused), true);
    }
    const std::uint64_t first = *range ? (*range)->first : 0;
    const std::uint64_t last = *range ? (*range)->second : found->size - 1;

    const auto& request = header.get();
    bhttp::response<bhttp::buffer_body> out{*range ? bhttp::status::partial_content : bhttp::status::ok,
                                            request.version()};
    out.set(bhttp::field::server, "flowd");
    out.set(bhttp::field::content_type, found->mime);
    out.set(bhttp::field::etag, etag);
    out.set(bhttp::field::accept_ranges, "bytes");
    out.set(bhttp::field::cache_control, "private, max-age=31536000, immutable");
    if (*range)
        out.set(bhttp::field::content_range, "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                                 "/" + std::to_string(found->size));
    out.content_length(last - first + 1);
    out.keep_alive(request.keep_alive());
    const bool head = request.method() == bhttp::verb::head;
    out.body().data = nullptr;
    out.body().more = !head;
    bhttp::response_serializer<bhttp::buffer_body> serializer(out);
    stream.expires_after(kIoTimeout);
    auto [header_ec, header_bytes] = co_await bhttp::async_write_header(stream, serializer, kTuple);
    if (header_ec) co_return Disposition::close;
    for (std::uint64_t at = first; !head && at <= last;) {
        const auto want = std::min<std::uint64_t>(kChunkBytes, last - at + 1);
        std::string chunk;
        try {
            chunk = co_await offload(blocking, [&] { return media.read(*found, at, want); });
        } catch (const std::exception& e) {
            spdlog::error("media {}: read failed: {}", media_id, e.what());
            co_return Disposition::close;  // the length promised cannot be kept
        }
        if (chunk.empty()) co_return Disposition::close;
        at += chunk.size();
        out.body().data = chunk.data();
        out.body().size = chunk.size();
        out.body().more = at <= last;
        stream.expires_after(kIoTimeout);
        auto [ec, bytes] = co_await bhttp::async_write(stream, serializer, kTuple);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) co_return Disposition::close;
    }
    spdlog::info("{} {} {}", request.method_string(), route_of(request), *range ? 206 : 200);
    co_return request.keep_alive() ? Disposition::keep_alive : Disposition::close;
}

}  // namespace

StreamingMount media_mount(AuthService& auth, MediaService& media, asio::thread_pool& blocking) {
    return [&auth, &media, &blocking](beast::tcp_stream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                                      const std::string&) -> asio::awaitable<Disposition> {
        const auto& request = header.get();
        const std::string target(request.target());
        const std::string path = target.substr(0, target.find('?'));
        const bool is_upload = path == "/media" || path == "/media/";
        const bool body_read = header.is_done();  // no body announced

        const auto token = http::bearer_token(request[bhttp::field::authorization]);
        auto caller = co_await offload(blocking, [&] {
            return token.empty() ? Result<Caller>(Error::unauthorized("unauthorized", "sign in first: send Authorization: Bearer <token>"))
                                 : auth.authenticate(token);
        });
        if (!caller) {
            auto refused = error(caller.error());
            co_return co_await answer(stream, header, std::move(refused), body_read);
        }

        if (is_upload) {
            if (request.method() == bhttp::verb::post)
                co_return co_await upload(stream, buffer, header, *caller, media, blocking);
        } else if (request.method() == bhttp::verb::get || request.method() == bhttp::verb::head) {
            // The id goes to storage as sent (it is not percent-decoded): the same check as
            // the router's, so that a byte PostgreSQL refuses is a 400 there too.
            if (!is_valid_text(path)) {
                auto refused = error(wire::invalid_text("the path"));
                co_return co_await answer(stream, header, std::move(refused), body_read);
            }
            co_return co_await download(stream, header, *caller, path.substr(7), media, blocking);
        }
        auto refused = error({ErrorKind::invalid_argument, "method_not_allowed", "method not allowed here", {}});
        refused.status = 405;
        refused.headers.emplace_back("Allow", is_upload ? "POST" : "GET");
        co_return co_await answer(stream, header, std::move(refused), body_read);
    };
}

}  // namespace flow::server
