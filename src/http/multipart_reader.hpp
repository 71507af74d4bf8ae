#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace flow::http {

// The boundary of a `multipart/form-data; boundary=...` Content-Type, or nullopt.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Reads a multipart/form-data body as it streams in, handing on the content of one named
// part (the `file` of an upload) in pieces and skipping the others, so a large file is
// never held whole. Fed any split of the body; a part's headers are limited to 8 KiB.
// Not thread-safe; one per request.
class MultipartReader {
public:
    using Sink = std::function<Status(std::string_view bytes)>;

    MultipartReader(std::string boundary, std::string wanted_part, Sink sink);

    // The next bytes of the body. An error from the sink, or a malformed body, stops it.
    Status feed(std::string_view bytes);
    // At the end of the body: whether it was complete and had the wanted part.
    Status finish();

private:
    enum class State { preamble, headers, content, done };

    Status parse();
    Status on_headers(std::string_view headers);

    std::string delimiter_;  // "\r\n--" + boundary
    std::string wanted_;
    Sink sink_;
    State state_ = State::preamble;
    std::string buffer_;
    bool in_wanted_ = false;
    bool found_ = false;
};

}  // namespace flow::http
