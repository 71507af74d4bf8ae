#include "http/routes/media_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/byte_range.hpp"
#include "http/multipart_reader.hpp"
#include "http/server/blocking_pool.hpp"
#include "http/server/streaming_exchange.hpp"
#include "wire/media_json.hpp"

namespace flow::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

// Media may hold anything a user uploaded: a browser must neither guess another type nor
// render HTML or SVG (scripts) from Flow's origin.
bool must_download(std::string_view mime) {
    for (std::string_view active : {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                                    "application/xml"})
        if (mime.starts_with(active)) return true;
    return false;
}

// Sends a whole answer, which no browser may take for another type (see must_download).
asio::awaitable<Disposition> answer(StreamingExchange& ex, Response response) {
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    co_return co_await ex.answer(std::move(response));
}

Response error(const Error& e) { return Response::error(e); }

// Reads the request body in chunks, handing each to `sink` (on the blocking pool, in
// order). Every byte of the body counts against `max_bytes`, whatever part it is in.
asio::awaitable<Status> read_body(StreamingExchange& ex, std::uint64_t max_bytes,
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
        auto status = co_await offload(ex.blocking, [&] { return sink(std::string_view(chunk.data(), got)); });
        if (!status) co_return status;
    }
    ex.body_done = true;
    co_return Ok{};
}

asio::awaitable<Disposition> upload(StreamingExchange& ex, const Request& request, MediaService& media) {
    const auto length = ex.header.content_length();
    // (Each answer is built before the co_await: g++ 12 mishandles temporaries inside it.)
    if (length && *length > media.max_upload_bytes()) {
        ex.keep_alive = false;
        auto refused = error({ErrorKind::too_large, "too_large",
                              "the file is larger than " + std::to_string(media.max_upload_bytes()) + " bytes", {}});
        co_return co_await answer(ex, std::move(refused));
    }
    const std::string content_type(request.header("content-type"));
    std::optional<MultipartReader> form;
    std::unique_ptr<MediaUpload> upload;
    if (content_type.starts_with("multipart/")) {
        auto boundary = multipart_boundary(content_type);
        if (!boundary) {
            auto refused = error(Error::invalid("invalid_multipart", "no multipart boundary"));
            co_return co_await answer(ex, std::move(refused));
        }
        form.emplace(*boundary, "file", [&](std::string_view bytes) { return upload->append(bytes); });
    }
    auto begun = co_await offload(ex.blocking, [&] { return media.begin_upload(request.who()); });
    if (!begun) {
        auto refused = error(begun.error());
        co_return co_await answer(ex, std::move(refused));
    }
    upload = std::move(*begun);

    if (auto ec = co_await continue_if_expected(ex.stream, ex.header, ex.io_timeout)) co_return Disposition::close;
    auto status = co_await read_body(ex, media.max_upload_bytes(), [&](std::string_view bytes) {
        return form ? form->feed(bytes) : upload->append(bytes);
    });
    if (status && form) status = form->finish();
    if (!status) {
        ex.keep_alive = ex.keep_alive && ex.body_done;
        auto refused = error(status.error());
        co_return co_await answer(ex, std::move(refused));
    }
    auto stored = co_await offload(ex.blocking, [&] { return upload->finish(); });
    auto response = stored ? Response::json(201, wire::to_json(*stored)) : error(stored.error());
    co_return co_await answer(ex, std::move(response));
}

// The header of a media download, whole or a range of it.
bhttp::response<bhttp::buffer_body> download_header(const StreamingExchange& ex, const Media& item,
                                                    const std::string& etag, const ByteRange& range) {
    const bool partial = range.kind == ByteRange::Kind::partial;
    bhttp::response<bhttp::buffer_body> out{partial ? bhttp::status::partial_content : bhttp::status::ok,
                                            ex.version};
    out.set(bhttp::field::server, "flowd");
    out.set(bhttp::field::content_type, item.mime);
    out.set("X-Content-Type-Options", "nosniff");
    if (must_download(item.mime)) out.set(bhttp::field::content_disposition, "attachment");
    out.set(bhttp::field::etag, etag);
    out.set(bhttp::field::accept_ranges, "bytes");
    out.set(bhttp::field::cache_control, "private, max-age=31536000, immutable");
    for (const auto& [name, value] : ex.headers) out.set(name, value);
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

asio::awaitable<Disposition> download(StreamingExchange& ex, const Request& request, MediaService& media) {
    const auto& media_id = request.param("media_id");
    auto found = co_await offload(ex.blocking, [&] { return media.open(request.who(), media_id); });
    if (!found) {
        auto refused = error(found.error());
        co_return co_await answer(ex, std::move(refused));
    }
    const std::string etag = "\"" + found->sha256 + "\"";
    if (request.header("if-none-match") == etag) {
        auto not_modified = Response::text(304, "", "");
        not_modified.headers.emplace_back("ETag", etag);
        co_return co_await answer(ex, std::move(not_modified));
    }
    const auto range = parse_byte_range(request.header("range"), found->size);
    if (range.kind == ByteRange::Kind::unsatisfiable) {
        auto refused = error({ErrorKind::invalid_argument, "range_not_satisfiable", "the range is outside the media", {}});
        refused.status = 416;
        refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(found->size));
        co_return co_await answer(ex, std::move(refused));
    }
    const bool partial = range.kind == ByteRange::Kind::partial;
    const std::uint64_t first = partial ? range.first : 0;
    const std::uint64_t end = partial ? range.last + 1 : found->size;

    co_await ex.settle_body();
    auto out = download_header(ex, *found, etag, range);
    bhttp::response_serializer<bhttp::buffer_body> serializer(out);
    if (auto ec = co_await write_some_answer(ex.stream, serializer, ex.io_timeout)) co_return Disposition::close;
    for (std::uint64_t at = first; !ex.head && at < end;) {
        const auto want = std::min<std::uint64_t>(kChunkBytes, end - at);
        std::string chunk;
        try {
            chunk = co_await offload(ex.blocking, [&] { return media.read(*found, at, want); });
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
    ex.status = partial ? 206 : 200;
    co_return ex.keep_alive ? Disposition::keep_alive : Disposition::close;
}

// A thumbnail is small: answered whole. Once made it never changes.
Response thumbnail(const Request& request, MediaService& media) {
    auto jpeg = media.thumbnail(request.who(), request.param("media_id"));
    if (!jpeg) return error(jpeg.error());
    auto response = Response::text(200, "image/jpeg", std::move(*jpeg));
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Cache-Control", "private, max-age=31536000, immutable");
    return response;
}

}  // namespace

void add_media_routes(Router& router, MediaService& media) {
    router.add_streaming("POST", "/media", Access::signed_in,
                         [&media](Request& request, StreamingExchange& ex) -> asio::awaitable<Disposition> {
                             co_return co_await upload(ex, request, media);
                         });
    router.add_streaming("GET", "/media/{media_id}", Access::signed_in,
                         [&media](Request& request, StreamingExchange& ex) -> asio::awaitable<Disposition> {
                             co_return co_await download(ex, request, media);
                         });
    router.add("GET", "/media/{media_id}/thumbnail", Access::signed_in,
               [&media](Request& request) { return thumbnail(request, media); });
}

}  // namespace flow::http
