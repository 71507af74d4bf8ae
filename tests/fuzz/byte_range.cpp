// The Range header of a media download: the first 8 bytes of the input are the object's
// size (little-endian), the rest the header. A partial answer must lie inside the object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/byte_range.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t object_size = 0;
    const std::size_t taken = size < sizeof object_size ? size : sizeof object_size;
    std::memcpy(&object_size, data, taken);
    const std::string_view header(reinterpret_cast<const char*>(data) + taken, size - taken);
    const auto range = flow::http::parse_byte_range(header, object_size);
    if (range.kind == flow::http::ByteRange::Kind::partial &&
        (range.first > range.last || range.last >= object_size))
        std::abort();
    return 0;
}
