// The connection core's WebSocket decoder (net/websocket/frame_parser): a client's byte
// stream, fed whole, split at two points the input picks, and one byte at a time. Each
// way must give the same events and end the same way; every text message and close
// reason must be UTF-8 (by a decoder of its own here), every control payload at most
// 125 bytes and every message at most the limit.
//
// Input: byte 0 picks the message limit (16 B to 1 MiB), bytes 1 and 2 the split points,
// the rest is the stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "net/websocket/frame_parser.hpp"

namespace {

using flow::net::websocket::FrameParser;
using Kind = FrameParser::Event::Kind;

struct Record {
    Kind kind;
    flow::net::websocket::Opcode opcode;
    std::uint16_t code;
    std::vector<std::byte> payload;
    bool operator==(const Record&) const = default;
};

// UTF-8 by decoding each code point, apart from the validator under test.
bool reference_utf8(std::span<const std::byte> bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<std::uint8_t>(bytes[i]);
        std::size_t length = lead < 0x80         ? 1
                             : lead >> 5 == 0x6  ? 2
                             : lead >> 4 == 0xE  ? 3
                             : lead >> 3 == 0x1E ? 4
                                                 : 0;
        if (length == 0 || i + length > bytes.size()) return false;
        std::uint32_t point = length == 1 ? lead : lead & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<std::uint8_t>(bytes[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            point = point << 6 | (next & 0x3F);
        }
        static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (point < kSmallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

void check(bool condition) {
    if (!condition) std::abort();
}

// Feeds `stream` in pieces ending at `cuts` (ascending), recording every event.
std::vector<Record> run(std::span<const std::uint8_t> stream, std::uint32_t max,
                        const std::vector<std::size_t>& cuts) {
    FrameParser parser(max);
    std::vector<Record> records;
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
        // A fresh copy per read, as a receive buffer reused between reads would hold it.
        std::vector<std::byte> read(reinterpret_cast<const std::byte*>(stream.data()) + at,
                                    reinterpret_cast<const std::byte*>(stream.data()) + cut);
        at = cut;
        std::span<std::byte> input(read);
        for (;;) {
            auto event = parser.next(input);
            records.push_back({event.kind, event.opcode, event.code,
                               std::vector<std::byte>(event.payload.begin(), event.payload.end())});
            if (event.kind == Kind::message) {
                check(event.payload.size() <= max);
                if (event.opcode == flow::net::websocket::Opcode::text)
                    check(reference_utf8(event.payload));
            } else if (event.kind == Kind::ping || event.kind == Kind::pong) {
                check(event.payload.size() <= 125);
            } else if (event.kind == Kind::close) {
                check(event.payload.size() <= 123 && reference_utf8(event.payload));
                check(flow::net::websocket::is_valid_close_code(event.code) || event.code == 1005);
                return records;
            } else if (event.kind == Kind::error) {
                check(event.code == 1002 || event.code == 1007 || event.code == 1009);
                check(parser.pending_capacity() == 0);
                return records;
            } else {
                check(input.empty());  // need_more only once the read is used up
                records.pop_back();    // where reads end is not an event
                break;
            }
        }
    }
    return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint32_t max = std::uint32_t{16} << (data[0] % 17);
    std::span<const std::uint8_t> stream(data + 3, size - 3);
    const std::size_t n = stream.size();
    const std::size_t first = n == 0 ? 0 : data[1] % (n + 1);
    const std::size_t second = first + (n - first == 0 ? 0 : data[2] % (n - first + 1));

    const auto whole = run(stream, max, {n});
    check(run(stream, max, {first, second, n}) == whole);
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i <= n; ++i) bytes.push_back(i);
    check(run(stream, max, bytes) == whole);
    return 0;
}
