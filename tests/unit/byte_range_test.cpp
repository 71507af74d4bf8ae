#include "http/byte_range.hpp"

#include <gtest/gtest.h>

namespace flow::http {
namespace {

using Kind = ByteRange::Kind;

void expect_partial(std::string_view header, std::uint64_t size, std::uint64_t first, std::uint64_t last) {
    const auto range = parse_byte_range(header, size);
    EXPECT_EQ(range.kind, Kind::partial) << header;
    EXPECT_EQ(range.first, first) << header;
    EXPECT_EQ(range.last, last) << header;
}

TEST(ByteRange, FirstToLast) {
    expect_partial("bytes=0-0", 10, 0, 0);
    expect_partial("bytes=2-5", 10, 2, 5);
    expect_partial("bytes=2-", 10, 2, 9);
    expect_partial("bytes=2-100", 10, 2, 9);  // a last byte past the end is the end
}

TEST(ByteRange, TheLastNBytes) {
    expect_partial("bytes=-3", 10, 7, 9);
    expect_partial("bytes=-30", 10, 0, 9);
    EXPECT_EQ(parse_byte_range("bytes=-0", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=-3", 0).kind, Kind::unsatisfiable);
}

TEST(ByteRange, PastTheEndIsUnsatisfiable) {
    EXPECT_EQ(parse_byte_range("bytes=10-", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=10-20", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(ByteRange, AnythingElseIsTheWholeObject) {
    for (std::string_view header :
         {"", "bytes", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,3-4", "bytes=5-2", "bytes=a-b", "bytes=1-x",
          "bytes= 1-2", "bytes=+1-2", "bytes=18446744073709551616-", "bytes=--1", "BYTES=0-1"}) {
        EXPECT_EQ(parse_byte_range(header, 10).kind, Kind::whole) << header;
    }
}

TEST(ByteRange, TheLargestSizes) {
    const std::uint64_t max = UINT64_MAX;
    expect_partial("bytes=18446744073709551614-", max, max - 1, max - 1);
    expect_partial("bytes=-18446744073709551615", max, 0, max - 1);
}

}  // namespace
}  // namespace flow::http
