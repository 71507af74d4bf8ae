#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/response.hpp"

namespace flow::http {

// A handler's Response as Beast sends it. For HEAD, the headers of the answer alone.
inline boost::beast::http::response<boost::beast::http::string_body> to_beast(
    http::Response&& in, unsigned version, bool keep_alive, bool head = false) {
    namespace bhttp = boost::beast::http;
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
    out.set(bhttp::field::server, "flowd");
    if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
    for (auto& [name, value] : in.headers) out.set(name, value);
    const auto length = in.body.size();
    out.body() = head ? std::string() : std::move(in.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head) out.content_length(length);
    return out;
}

}  // namespace flow::http
