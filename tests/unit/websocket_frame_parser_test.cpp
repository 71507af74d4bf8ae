#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "net/websocket/frame_parser.hpp"

namespace flow::net::websocket {
namespace {

using Bytes = std::vector<std::byte>;
using Kind = FrameParser::Event::Kind;

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kText = kFin | 0x1, kBinary = kFin | 0x2, kClose = kFin | 0x8,
                       kPing = kFin | 0x9, kPong = kFin | 0xA;

enum class Length { shortest, bits16, bits64 };

// A client frame: `first` (FIN, RSV, opcode), the payload masked with `key`.
Bytes frame(std::uint8_t first, std::string_view payload, Length form = Length::shortest,
            std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d}) {
    Bytes out{std::byte{first}};
    const std::uint64_t size = payload.size();
    if (form == Length::shortest && size <= 125) {
        out.push_back(std::byte(0x80 | size));
    } else if (form != Length::bits64 && size <= 0xFFFF) {
        out.push_back(std::byte{0x80 | 126});
        for (int shift : {8, 0}) out.push_back(std::byte(size >> shift));
    } else {
        out.push_back(std::byte{0x80 | 127});
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::byte(size >> shift));
    }
    for (auto k : key) out.push_back(std::byte{k});
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(std::byte(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]));
    return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

Bytes raw(std::initializer_list<std::uint8_t> bytes) {
    Bytes out;
    for (auto b : bytes) out.push_back(std::byte{b});
    return out;
}

std::string text(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// What a connection would see: every callback, then how the last feed ended.
struct Recorder {
    std::vector<std::string> events;
    void on_message(Opcode opcode, std::span<std::byte> payload) {
        events.push_back((opcode == Opcode::text ? "text:" : "binary:") + text(payload));
    }
    void on_ping(std::span<std::byte> payload) { events.push_back("ping:" + text(payload)); }
    void on_pong(std::span<std::byte> payload) { events.push_back("pong:" + text(payload)); }
    void on_close(std::uint16_t code, std::string_view reason) {
        events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
    }
};

struct Outcome {
    std::vector<std::string> events;
    Kind last = Kind::need_more;
    std::uint16_t code = 0;
};

// Feeds `input` in pieces of `piece` bytes (0: whole), as reads would deliver it.
Outcome run(Bytes input, std::size_t piece = 0, std::uint32_t max = 1 << 20,
            FrameParser* use = nullptr) {
    FrameParser own(max);
    FrameParser& parser = use ? *use : own;
    Recorder recorder;
    Outcome outcome;
    std::span<std::byte> rest(input);
    do {
        const std::size_t n = piece == 0 ? rest.size() : std::min(piece, rest.size());
        // Each read lands in a fresh buffer, as in a receive buffer reused between reads.
        Bytes read(rest.begin(), rest.begin() + n);
        rest = rest.subspan(n);
        auto event = parser.feed(std::span(read), recorder);
        outcome.last = event.kind;
        outcome.code = event.code;
        if (event.kind != Kind::need_more) break;
    } while (!rest.empty());
    outcome.events = recorder.events;
    return outcome;
}

std::uint16_t error_code(Bytes input, std::uint32_t max = 1 << 20) {
    auto outcome = run(std::move(input), 0, max);
    EXPECT_EQ(outcome.last, Kind::error);
    return outcome.last == Kind::error ? outcome.code : 0;
}

TEST(WebSocketFrameParser, StateIsAFewDozenBytes) {
    EXPECT_LE(sizeof(FrameParser), 64u);
}

TEST(WebSocketFrameParser, ReadsTheRfcMaskedHelloInPlace) {
    // RFC 6455 section 5.7: a single-frame masked text message.
    Bytes input = raw({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    FrameParser parser(1000);
    std::span<std::byte> rest(input);
    auto event = parser.next(rest);
    ASSERT_EQ(event.kind, Kind::message);
    EXPECT_EQ(event.opcode, Opcode::text);
    EXPECT_EQ(text(event.payload), "Hello");
    EXPECT_EQ(event.payload.data(), input.data() + 6);  // a span of the input: no copy
    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(parser.next(rest).kind, Kind::need_more);
    EXPECT_EQ(parser.pending_capacity(), 0u);
}

TEST(WebSocketFrameParser, RefusesTheRfcUnmaskedHello) {
    EXPECT_EQ(error_code(raw({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})),
              close_code::protocol_error);
}

TEST(WebSocketFrameParser, ReadsEveryLengthEncoding) {
    for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
        std::string payload(size, 'x');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        auto outcome = run(frame(kBinary, payload));
        ASSERT_EQ(outcome.events.size(), 1u) << size;
        EXPECT_EQ(outcome.events[0], "binary:" + payload) << size;
        // Split across reads too.
        EXPECT_EQ(run(frame(kBinary, payload), 1000).events, outcome.events) << size;
    }
}

TEST(WebSocketFrameParser, AcceptsNonMinimalLengths) {
    EXPECT_EQ(run(frame(kText, "Hello", Length::bits16)).events,
              std::vector<std::string>{"text:Hello"});
    EXPECT_EQ(run(frame(kText, "Hello", Length::bits64)).events,
              std::vector<std::string>{"text:Hello"});
    EXPECT_EQ(run(frame(kPing, "p", Length::bits64)).events, std::vector<std::string>{"ping:p"});
}

TEST(WebSocketFrameParser, UnmasksEveryOffsetAndKey) {
    std::string payload;
    for (int i = 0; i < 37; ++i) payload.push_back(static_cast<char>(i * 7));
    for (std::array<std::uint8_t, 4> key : {std::array<std::uint8_t, 4>{0, 0, 0, 0},
                                            {0xff, 0xff, 0xff, 0xff},
                                            {1, 2, 3, 4},
                                            {0x80, 0x7f, 0, 0xaa}}) {
        for (std::size_t piece : {0, 1, 3, 5, 8, 9}) {
            auto outcome = run(frame(kBinary, payload, Length::shortest, key), piece);
            ASSERT_EQ(outcome.events.size(), 1u);
            EXPECT_EQ(outcome.events[0], "binary:" + payload) << piece;
        }
    }
}

TEST(WebSocketFrameParser, MaskKeyRotatesAcrossPieces) {
    std::vector<std::byte> whole(29), pieces(29);
    for (std::size_t i = 0; i < whole.size(); ++i) whole[i] = pieces[i] = std::byte(i * 13);
    MaskKey key{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    MaskKey rolling = key;
    unmask(whole, key);
    for (std::size_t at = 0, n = 1; at < pieces.size(); at += n, n = n % 7 + 2)
        unmask(std::span(pieces).subspan(at, std::min(n, pieces.size() - at)), rolling);
    EXPECT_EQ(whole, pieces);
    for (std::size_t i = 0; i < whole.size(); ++i)
        EXPECT_EQ(whole[i], std::byte(i * 13) ^ std::byte(i % 4 + 1));
}

// A conversation with every kind of frame, fragments and control frames between them.
Bytes conversation() {
    return concat({frame(kText, "Hello"), frame(kBinary, std::string(300, 'b')),
                   frame(0x01, "frag"), frame(kPing, "p1"), frame(0x00, "ment"), frame(kPong, "p2"),
                   frame(kFin | 0x00, "ed"), frame(kText, ""), frame(kPing, ""),
                   frame(kClose,
                         "\x03\xe8"
                         "bye")});
}

TEST(WebSocketFrameParser, OneByteAtATimeEqualsWhole) {
    std::vector<std::string> expected{"text:Hello",      "binary:" + std::string(300, 'b'),
                                      "ping:p1",         "pong:p2",
                                      "text:fragmented", "text:",
                                      "ping:",           "close:1000:bye"};
    auto whole = run(conversation());
    EXPECT_EQ(whole.events, expected);
    EXPECT_EQ(whole.last, Kind::close);
    for (std::size_t piece : {1, 2, 3, 7, 13, 64}) {
        auto split = run(conversation(), piece);
        EXPECT_EQ(split.events, expected) << piece;
        EXPECT_EQ(split.last, Kind::close) << piece;
    }
}

TEST(WebSocketFrameParser, TakesAnEmptyRead) {
    FrameParser parser(1000);
    Recorder recorder;
    Bytes input = frame(kText, "Hello");
    EXPECT_EQ(parser.feed({}, recorder).kind, Kind::need_more);
    parser.feed(std::span(input).first(1), recorder);
    EXPECT_EQ(parser.feed({}, recorder).kind, Kind::need_more);
    parser.feed(std::span(input).subspan(1), recorder);
    EXPECT_EQ(recorder.events, std::vector<std::string>{"text:Hello"});
}

TEST(WebSocketFrameParser, ReadsSeveralFramesInOneFeedWithoutCopying) {
    Bytes input = concat({frame(kText, "one"), frame(kBinary, "two"), frame(kPing, "three")});
    FrameParser parser(1000);
    std::span<std::byte> rest(input);
    std::vector<std::string> seen;
    for (auto event = parser.next(rest); event.kind != Kind::need_more; event = parser.next(rest)) {
        EXPECT_GE(event.payload.data(), input.data());
        EXPECT_LE(event.payload.data() + event.payload.size(), input.data() + input.size());
        seen.push_back(text(event.payload));
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_EQ(parser.pending_capacity(), 0u);
}

TEST(WebSocketFrameParser, ControlFrameSplitBetweenFragmentsLeavesTheMessageWhole) {
    Bytes input = concat({frame(0x02, "abc"), frame(kPing, "ping payload"), frame(kFin, "def")});
    for (std::size_t piece : {0, 1, 4, 10}) {
        EXPECT_EQ(run(input, piece).events,
                  (std::vector<std::string>{"ping:ping payload", "binary:abcdef"}))
            << piece;
    }
}

TEST(WebSocketFrameParser, CloseBetweenFragmentsEndsTheConversation) {
    auto outcome =
        run(concat({frame(0x01, "half"), frame(kClose, "\x03\xe9"), frame(kFin, "rest")}));
    EXPECT_EQ(outcome.events, std::vector<std::string>{"close:1001:"});
    EXPECT_EQ(outcome.last, Kind::close);
}

TEST(WebSocketFrameParser, TakesNothingAfterClose) {
    FrameParser parser(1000);
    Bytes input = concat({frame(kClose, ""), frame(kText, "late")});
    std::span<std::byte> rest(input);
    auto event = parser.next(rest);
    EXPECT_EQ(event.kind, Kind::close);
    EXPECT_EQ(event.code, close_code::no_status);
    EXPECT_TRUE(event.payload.empty());
    EXPECT_TRUE(parser.done());
    EXPECT_EQ(parser.next(rest).kind, Kind::need_more);
    EXPECT_FALSE(rest.empty());  // left unread
}

TEST(WebSocketFrameParser, ReadsCloseCodeAndReason) {
    EXPECT_EQ(run(frame(kClose, "\x03\xe8")).events, std::vector<std::string>{"close:1000:"});
    EXPECT_EQ(run(frame(kClose,
                        "\x0f\xa0"
                        "d\xc3\xa9j\xc3\xa0"))
                  .events,
              std::vector<std::string>{"close:4000:d\xc3\xa9j\xc3\xa0"});
    EXPECT_EQ(run(frame(kClose, "")).events, std::vector<std::string>{"close:1005:"});
    EXPECT_EQ(run(frame(kClose,
                        "\x03\xe8"
                        "bye"),
                  1)
                  .events,
              std::vector<std::string>{"close:1000:bye"});
}

TEST(WebSocketFrameParser, ValidatesCloseCodes) {
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                     3999, 4000, 4999}) {
        std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        EXPECT_EQ(run(frame(kClose, payload)).last, Kind::close) << code;
    }
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        EXPECT_EQ(error_code(frame(kClose, payload)), close_code::protocol_error) << code;
    }
}

TEST(WebSocketFrameParser, RefusesABadCloseFrame) {
    EXPECT_EQ(error_code(frame(kClose, "\x03")), close_code::protocol_error);
    EXPECT_EQ(error_code(frame(kClose, "\x03\xe8\xff")), close_code::invalid_payload);
    EXPECT_EQ(error_code(frame(kClose, "\x03\xe8\xed\xa0\x80")), close_code::invalid_payload);
}

TEST(WebSocketFrameParser, RefusesProtocolErrors) {
    const std::uint16_t protocol = close_code::protocol_error;
    for (std::uint8_t rsv : {0x40, 0x20, 0x10})
        EXPECT_EQ(error_code(frame(kText | rsv, "x")), protocol) << int(rsv);
    for (std::uint8_t opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        EXPECT_EQ(error_code(frame(kFin | opcode, "x")), protocol) << int(opcode);
    EXPECT_EQ(error_code(frame(kPing, std::string(126, 'p'))), protocol);  // over 125
    EXPECT_EQ(error_code(frame(kClose, "\x03\xe8" + std::string(124, 'r'))), protocol);
    EXPECT_EQ(error_code(frame(0x09, "p")), protocol);           // fragmented ping
    EXPECT_EQ(error_code(frame(kFin | 0x0, "lost")), protocol);  // no start
    EXPECT_EQ(error_code(frame(0x00, "lost")), protocol);
    EXPECT_EQ(error_code(concat({frame(0x01, "a"), frame(kText, "b")})), protocol);  // new message
    EXPECT_EQ(error_code(concat({frame(0x02, "a"), frame(0x01, "b")})), protocol);
    // A 64-bit length with the top bit set, refused on the header alone.
    EXPECT_EQ(error_code(raw({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4})), protocol);
    // Recovered nothing: a 125-byte ping is fine.
    EXPECT_EQ(run(frame(kPing, std::string(125, 'p'))).last, Kind::need_more);
}

TEST(WebSocketFrameParser, RefusesInvalidUtf8InText) {
    const std::uint16_t invalid = close_code::invalid_payload;
    for (std::string bad : {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                            "ok\x80", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"}) {
        EXPECT_EQ(error_code(frame(kText, bad)), invalid);
        EXPECT_EQ(run(frame(kText, bad), 1).code, invalid);
    }
    // A code point cut short by the end of the message.
    EXPECT_EQ(error_code(frame(kText, "\xf0\x9f\x98")), invalid);
    // Split across fragments: an overlong E0 80 whose bytes are in two fragments.
    EXPECT_EQ(error_code(concat({frame(0x01, "a\xe0"), frame(kFin, "\x80\x80")})), invalid);
    // The last fragment leaves a code point unfinished.
    EXPECT_EQ(error_code(concat({frame(0x01, "ok"), frame(kFin, "\xf0\x9f")})), invalid);
    // Binary is not text: anything goes.
    EXPECT_EQ(run(frame(kBinary, "\xff\xfe")).events, std::vector<std::string>{"binary:\xff\xfe"});
}

TEST(WebSocketFrameParser, InvalidTextIsRefusedBeforeTheMessageEnds) {
    FrameParser parser(1000);
    Bytes input = frame(0x01, "\xff");  // the first fragment is already wrong
    std::span<std::byte> rest(input);
    auto event = parser.next(rest);
    EXPECT_EQ(event.kind, Kind::error);
    EXPECT_EQ(event.code, close_code::invalid_payload);
}

TEST(WebSocketFrameParser, ReadsACodePointSplitAcrossFragmentsAndReads) {
    const std::string smile = "\xf0\x9f\x98\x80";  // U+1F600
    Bytes input = concat(
        {frame(0x01, "a\xf0\x9f"), frame(kPing, ""), frame(0x00, "\x98"), frame(kFin, "\x80z")});
    for (std::size_t piece : {0, 1, 2, 5}) {
        auto outcome = run(input, piece);
        EXPECT_EQ(outcome.events, (std::vector<std::string>{"ping:", "text:a" + smile + "z"}))
            << piece;
        EXPECT_EQ(outcome.last, Kind::need_more);
    }
    EXPECT_EQ(run(frame(kText, smile), 1).events, std::vector<std::string>{"text:" + smile});
    // NUL is valid UTF-8.
    EXPECT_EQ(run(frame(kText, std::string("a\0b", 3))).events,
              std::vector<std::string>{"text:" + std::string("a\0b", 3)});
}

TEST(WebSocketFrameParser, RefusesOversizedMessagesOnTheHeader) {
    FrameParser parser(1000);
    Bytes whole = frame(kBinary, std::string(1001, 'x'));
    Bytes header(whole.begin(), whole.begin() + 8);  // 2 + 2 + mask: no payload yet
    std::span<std::byte> rest(header);
    auto event = parser.next(rest);
    EXPECT_EQ(event.kind, Kind::error);
    EXPECT_EQ(event.code, close_code::message_too_big);
    EXPECT_EQ(parser.pending_capacity(), 0u);

    EXPECT_EQ(run(frame(kBinary, std::string(1000, 'x')), 0, 1000).events.size(), 1u);
    EXPECT_EQ(error_code(frame(kText, std::string(1001, 'x')), 1000), close_code::message_too_big);
    // Fragments add up: 600 + 401 is over, refused on the second header.
    EXPECT_EQ(
        error_code(concat({frame(0x02, std::string(600, 'x')), frame(kFin, std::string(401, 'x'))}),
                   1000),
        close_code::message_too_big);
    EXPECT_EQ(run(concat({frame(0x02, std::string(600, 'x')), frame(kFin, std::string(400, 'x'))}),
                  0, 1000)
                  .events.size(),
              1u);
    // Control frames do not count towards a message.
    EXPECT_EQ(run(concat({frame(0x02, std::string(999, 'x')), frame(kPing, std::string(100, 'p')),
                          frame(kFin, "y")}),
                  0, 1000)
                  .events.size(),
              2u);
}

TEST(WebSocketFrameParser, ReleasesTheBufferOnceAMessageIsOut) {
    FrameParser parser(1 << 20);
    Recorder recorder;
    Bytes first = frame(0x01, std::string(5000, 'a'));
    Bytes second = concat({frame(kPing, "p"), frame(kFin, std::string(5000, 'b'))});
    parser.feed(std::span(first), recorder);
    EXPECT_GE(parser.pending_capacity(), 5000u);  // held while the message is partial
    parser.feed(std::span(second), recorder);
    ASSERT_EQ(recorder.events.size(), 2u);
    EXPECT_EQ(recorder.events[1], "text:" + std::string(5000, 'a') + std::string(5000, 'b'));
    EXPECT_EQ(parser.pending_capacity(), 0u);  // freed, not just cleared

    // A single frame split across reads, and a control frame split across reads.
    Bytes split = frame(kBinary, std::string(3000, 'c'));
    Bytes ping = frame(kPing, std::string(100, 'p'));
    for (Bytes* input : {&split, &ping}) {
        auto half = static_cast<std::ptrdiff_t>(input->size() / 2);
        Bytes a(input->begin(), input->begin() + half), b(input->begin() + half, input->end());
        parser.feed(std::span(a), recorder);
        EXPECT_GT(parser.pending_capacity(), 0u);
        parser.feed(std::span(b), recorder);
        EXPECT_EQ(parser.pending_capacity(), 0u);
    }
    EXPECT_EQ(recorder.events.size(), 4u);
}

}  // namespace
}  // namespace flow::net::websocket
