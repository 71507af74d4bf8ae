#include "server/media_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "http/byte_range.hpp"
#include "http/multipart_reader.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "server/beast_response.hpp"
#include "common/utf8.hpp"
#include "server/blocking_pool.hpp"
#include "server/request_body.hpp"
#include "wire/media_json.hpp"
#include "wire/text_check.hpp"

namespace flow::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

// One media request on its connection, and what its answer needs of it: kept apart from
// the header parser, which reading the body spends.
struct Exchange {
    beast::tcp_stream& stream;
    beast::flat_buffer& buffer;
    HeaderParser& header;
    std::chrono::seconds io_timeout;
    unsigned version = 11;
    bool keep_alive = true;    // false once the connection must close after the answer
    bool body_done = false;    // the request's body has been read (or there is none)
    bool head = false;
    std::string method;
    std::string_view route;    // the route template, for the log
};

Exchange start_exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, HeaderParser& header,
                        std::chrono::seconds io_timeout) {
    const auto& request = header.get();
    return Exchange{stream,
                    buffer,
                    header,
                    io_timeout,
                    request.version(),
                    request.keep_alive(),
                    header.is_done(),
                    request.method() == bhttp::verb::head,
                    std::string(request.method_string()),
                    request.method() == bhttp::verb::post ? "/media" : "/media/{media_id}"};
}

// Whether the connection may carry another request after this answer: only when the
// request's body is behind us, read or thrown away (see discard_body). Asked once, before
// the answer's header is written.
asio::awaitable<bool> settle_body(Exchange& ex) {
    if (ex.keep_alive && !ex.body_done) {
        ex.body_done = co_await discard_body(ex.stream, ex.buffer, ex.header, ex.io_timeout);
        ex.keep_alive = ex.body_done;
    }
    co_return ex.keep_alive;
}

// Media may hold anything a user uploaded: a browser must neither guess another type nor
// render HTML or SVG (scripts) from Flow's origin.
bool must_download(std::string_view mime) {
    for (std::string_view active : {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                                    "application/xml"})
        if (mime.starts_with(active)) return true;
    return false;
}

// Sends a whole answer.
asio::awaitable<Disposition> answer(Exchange& ex, http::Response response) {
    const int status = response.status;
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    const bool keep_alive = co_await settle_body(ex);
    auto out = to_beast(std::move(response), ex.version, keep_alive, ex.head);
    bhttp::response_serializer<bhttp::string_body> serializer(out);
    auto ec = co_await write_some_answer(ex.stream, serializer, ex.io_timeout);
    spdlog::info("{} {} {}", ex.method, ex.route, status);
    co_return ec || !keep_alive ? Disposition::close : Disposition::keep_alive;
}

http::Response error(const Error& e) { return http::Response::error(e); }

// Reads the request body in chunks, handing each to `sink` (on the blocking pool, in
// order). Every byte of the body counts against `max_bytes`, whatever part it is in.
asio::awaitable<Status> read_body(Exchange& ex, asio::thread_pool& blocking, std::uint64_t max_bytes,
                                  const std::function<Status(std::string_view)>& sink) {
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(ex.header));
    parser.body_limit(boost::none);  // counted below, with a clearer answer
    std::vector<char> chunk(kChunkBytes);
    std::uint64_t total = 0;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        if (auto ec = co_await read_body_some(ex.stream, ex.buffer, parser, ex.io_timeout))
            co_return Error::invalid("bad_request", "the upload broke off: " + ec.message());
        const std::size_t got = chunk.size() - parser.get().body().size;
        total += got;
        if (total > max_bytes)
            co_return Error{ErrorKind::too_large, "too_large",
                            "the upload is larger than " + std::to_string(max_bytes) + " bytes", {}};
        if (got == 0) continue;
        auto status = co_await offload(blocking, [&] { return sink(std::string_view(chunk.data(), got)); });
        if (!status) co_return status;
    }
    ex.body_done = true;
    co_return Ok{};
}

asio::awaitable<Disposition> upload(Exchange& ex, const Caller& caller, MediaService& media,
                                    asio::thread_pool& blocking) {
    const auto length = ex.header.content_length();
    // (Each answer is built before the co_await: g++ 12 mishandles temporaries inside it.)
    if (length && *length > media.max_upload_bytes()) {
        ex.keep_alive = false;
        auto refused = error({ErrorKind::too_large, "too_large",
                              "the file is larger than " + std::to_string(media.max_upload_bytes()) + " bytes", {}});
        co_return co_await answer(ex, std::move(refused));
    }
    const std::string content_type(ex.header.get()[bhttp::field::content_type]);
    std::optional<http::MultipartReader> form;
    std::unique_ptr<MediaUpload> upload;
    if (content_type.starts_with("multipart/")) {
        auto boundary = http::multipart_boundary(content_type);
        if (!boundary) {
            auto refused = error(Error::invalid("invalid_multipart", "no multipart boundary"));
            co_return co_await answer(ex, std::move(refused));
        }
        form.emplace(*boundary, "file", [&](std::string_view bytes) { return upload->append(bytes); });
    }
    auto begun = co_await offload(blocking, [&] { return media.begin_upload(caller); });
    if (!begun) {
        auto refused = error(begun.error());
        co_return co_await answer(ex, std::move(refused));
    }
    upload = std::move(*begun);

    if (auto ec = co_await continue_if_expected(ex.stream, ex.header, ex.io_timeout)) co_return Disposition::close;
    auto status = co_await read_body(ex, blocking, media.max_upload_bytes(), [&](std::string_view bytes) {
        return form ? form->feed(bytes) : upload->append(bytes);
    });
    if (status && form) status = form->finish();
    if (!status) {
        ex.keep_alive = ex.keep_alive && ex.body_done;
        auto refused = error(status.error());
        co_return co_await answer(ex, std::move(refused));
    }
    auto stored = co_await offload(blocking, [&] { return upload->finish(); });
    auto response = stored ? http::Response::json(201, wire::to_json(*stored)) : error(stored.error());
    co_return co_await answer(ex, std::move(response));
}

// The header of a media download, whole or a range of it.
bhttp::response<bhttp::buffer_body> download_header(const Exchange& ex, const Media& item,
                                                    const std::string& etag, const http::ByteRange& range) {
    const bool partial = range.kind == http::ByteRange::Kind::partial;
    bhttp::response<bhttp::buffer_body> out{partial ? bhttp::status::partial_content : bhttp::status::ok,
                                            ex.version};
    out.set(bhttp::field::server, "flowd");
    out.set(bhttp::field::content_type, item.mime);
    out.set("X-Content-Type-Options", "nosniff");
    if (must_download(item.mime)) out.set(bhttp::field::content_disposition, "attachment");
    out.set(bhttp::field::etag, etag);
    out.set(bhttp::field::accept_ranges, "bytes");
    out.set(bhttp::field::cache_control, "private, max-age=31536000, immutable");
    const std::uint64_t first = partial ? range.first : 0, last = partial ? range.last : item.size - 1;
    if (partial)
        out.set(bhttp::field::content_range, "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                                 "/" + std::to_string(item.size));
    out.content_length(item.size == 0 ? 0 : last - first + 1);
    out.keep_alive(ex.keep_alive);
    out.body().data = nullptr;
    out.body().more = !ex.head;
    return out;
}

asio::awaitable<Disposition> download(Exchange& ex, const Caller& caller, const std::string& media_id,
                                      MediaService& media, asio::thread_pool& blocking) {
    auto found = co_await offload(blocking, [&] { return media.open(caller, media_id); });
    if (!found) {
        auto refused = error(found.error());
        co_return co_await answer(ex, std::move(refused));
    }
    const std::string etag = "\"" + found->sha256 + "\"";
    if (ex.header.get()[bhttp::field::if_none_match] == etag) {
        auto not_modified = http::Response::text(304, "", "");
        not_modified.headers.emplace_back("ETag", etag);
        co_return co_await answer(ex, std::move(not_modified));
    }
    const auto range = http::parse_byte_range(ex.header.get()[bhttp::field::range], found->size);
    if (range.kind == http::ByteRange::Kind::unsatisfiable) {
        auto refused = error({ErrorKind::invalid_argument, "range_not_satisfiable", "the range is outside the media", {}});
        refused.status = 416;
        refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(found->size));
        co_return co_await answer(ex, std::move(refused));
    }
    const bool partial = range.kind == http::ByteRange::Kind::partial;
    const std::uint64_t first = partial ? range.first : 0;
    const std::uint64_t end = partial ? range.last + 1 : found->size;

    co_await settle_body(ex);
    auto out = download_header(ex, *found, etag, range);
    bhttp::response_serializer<bhttp::buffer_body> serializer(out);
    if (auto ec = co_await write_some_answer(ex.stream, serializer, ex.io_timeout)) co_return Disposition::close;
    for (std::uint64_t at = first; !ex.head && at < end;) {
        const auto want = std::min<std::uint64_t>(kChunkBytes, end - at);
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
        out.body().more = at < end;
        if (auto ec = co_await write_some_answer(ex.stream, serializer, ex.io_timeout)) co_return Disposition::close;
    }
    spdlog::info("{} {} {}", ex.method, ex.route, partial ? 206 : 200);
    co_return ex.keep_alive ? Disposition::keep_alive : Disposition::close;
}

}  // namespace

StreamingMount media_mount(AuthService& auth, MediaService& media, asio::thread_pool& blocking,
                           std::chrono::seconds io_timeout) {
    return [&auth, &media, &blocking, io_timeout](beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                  HeaderParser& header,
                                                  const std::string&) -> asio::awaitable<Disposition> {
        auto ex = start_exchange(stream, buffer, header, io_timeout);
        const auto& request = header.get();
        const std::string target(request.target());
        const std::string path = target.substr(0, target.find('?'));
        const bool is_upload = path == "/media" || path == "/media/";

        const auto token = http::bearer_token(request[bhttp::field::authorization]);
        auto caller = co_await offload(blocking, [&] {
            return token.empty() ? Result<Caller>(Error::unauthorized("unauthorized", "sign in first: send Authorization: Bearer <token>"))
                                 : auth.authenticate(token);
        });
        if (!caller) {
            auto refused = error(caller.error());
            co_return co_await answer(ex, std::move(refused));
        }

        if (is_upload) {
            if (request.method() == bhttp::verb::post) co_return co_await upload(ex, *caller, media, blocking);
        } else if (request.method() == bhttp::verb::get || request.method() == bhttp::verb::head) {
            // The id goes to storage as sent (it is not percent-decoded): the same check as
            // the router's, so that a byte PostgreSQL refuses is a 400 there too.
            if (!is_valid_text(path)) {
                auto refused = error(wire::invalid_text("the path"));
                co_return co_await answer(ex, std::move(refused));
            }
            co_return co_await download(ex, *caller, path.substr(7), media, blocking);
        }
        auto refused = error({ErrorKind::invalid_argument, "method_not_allowed", "method not allowed here", {}});
        refused.status = 405;
        refused.headers.emplace_back("Allow", is_upload ? "POST" : "GET");
        co_return co_await answer(ex, std::move(refused));
    };
}

}  // namespace flow::server
