// Query strings: a request target as the server takes it apart (origin form, decoded
// parameters, as server/http_server.cpp's to_request does), then read as the routes read
// their parameters (QueryReader).
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/query_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return 0;
    flow::http::Request request;
    request.path = url->path();
    for (const auto& param : url->params()) request.query.emplace_back(param.key, param.value);

    flow::http::QueryReader query(request);
    const int limit = query.limit();
    if (limit < 1 || limit > 200) std::abort();
    const auto before = query.integer("before", 1, INT64_MAX);
    const auto after = query.integer("after", 0, INT64_MAX);
    if ((before && *before < 1) || (after && *after < 0)) std::abort();
    (void)query.text("type");
    (void)query.text("token");
    return 0;
}
