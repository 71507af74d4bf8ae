// multipart/form-data uploads: the first line of the input is the Content-Type, the rest
// the body. The body is read whole and again in small pieces: the reader must agree with
// itself (same verdict, same bytes of the `file` part), as it may be fed any split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/multipart_reader.hpp"

using flow::Status;
using flow::http::MultipartReader;

namespace {

struct Outcome {
    bool ok = false;
    std::string file;
};

Outcome read(const std::string& boundary, std::string_view body, std::size_t piece) {
    Outcome out;
    MultipartReader reader(boundary, "file", [&out](std::string_view bytes) -> Status {
        out.file.append(bytes);
        return flow::Ok{};
    });
    // Pieces of 1, 2, ... `piece` bytes, over and over; 0: the body at once.
    for (std::size_t at = 0, step = 0; at < body.size();) {
        const std::size_t length = piece == 0 ? body.size() : 1 + step++ % piece;
        if (!reader.feed(body.substr(at, length))) return out;
        at += length;
    }
    out.ok = reader.finish().ok();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto eol = input.find('\n');
    if (eol == std::string_view::npos) return 0;
    const auto boundary = flow::http::multipart_boundary(input.substr(0, eol));
    if (!boundary) return 0;
    const auto body = input.substr(eol + 1);

    const auto whole = read(*boundary, body, 0);
    const auto pieces = read(*boundary, body, 7);
    // Past 8 KiB, a piecewise read may give up on a boundary or headers that a whole read
    // finds: the header limit is on what is buffered.
    if (body.size() < 8 * 1024 - 8 && whole.ok != pieces.ok) std::abort();
    if (whole.ok && pieces.ok && whole.file != pieces.file) std::abort();
    return 0;
}
