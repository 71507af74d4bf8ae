#pragma once

#include <cstdint>
#include <string_view>

namespace flow::http {

// What a `Range` request header asks of an object of a known size.
struct ByteRange {
    enum class Kind {
        whole,          // no header, or a form not served partially: the whole object (200)
        partial,        // bytes [first, last] (206)
        unsatisfiable,  // a range outside the object (416)
    };
    Kind kind = Kind::whole;
    std::uint64_t first = 0;  // with `partial`: the first and last byte, inclusive
    std::uint64_t last = 0;
};

// A `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` header against an object of `size`
// bytes. Several ranges, other units and malformed headers ask for the whole object, as
// RFC 9110 allows. Pure: no allocation, no I/O.
ByteRange parse_byte_range(std::string_view header, std::uint64_t size);

}  // namespace flow::http
