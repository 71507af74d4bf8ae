#pragma once

// The WebSocket codec of the connection core (net/, issue 14): the server side of RFC
// 6455 framing with no I/O, so that a connection driven by readiness can read into one
// receive buffer per I/O thread and keep almost nothing of its own between reads.
//
//   FrameParser parser(max_message_size);
//   Event feed(std::span<std::byte> input, Handler& handler);
//
// feed() takes whatever a read returned (part of a frame, a frame a byte at a time, many
// frames at once), consumes all of it and calls, for each complete event in order:
//   handler.on_message(Opcode text|binary, std::span<std::byte> payload)
//   handler.on_ping(std::span<std::byte> payload)    handler.on_pong(std::span<std::byte>)
//   handler.on_close(std::uint16_t code, std::string_view reason)  (1005 if none given)
// It returns need_more when the input is used up, close after on_close (the caller
// answers with a close frame and stops reading) or error (send a close frame with
// `code`, 1002, 1007 or 1009, and close; `detail` says why). After close or error the
// parser takes nothing more. next() is the same decoder one event at a time.
//
// Payload spans are valid until the next call. A frame that lies wholly in `input` is
// handed out as a span of `input`, unmasked in place: nothing is copied. Only a message
// split across reads or fragments (and a control frame split across reads) is copied
// into a buffer of the parser's, whose memory is freed once the message is handed out.
// Refused: reserved bits (no extension is negotiated), unknown opcodes, unmasked frames,
// control frames over 125 bytes or fragmented, a continuation with no message started, a
// new message inside a fragmented one, 64-bit lengths with the top bit set, close frames
// with a 1-byte payload or an invalid code (is_valid_close_code), invalid UTF-8 in a text
// message or a close reason (1007), and messages over `max_message_size`, refused on the
// frame header before any of the payload is buffered (1009). Non-minimal length encodings
// are allowed, as RFC 6455 allows them. One parser per connection; not thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "net/websocket/frame.hpp"
#include "net/websocket/mask.hpp"
#include "common/utf8.hpp"

namespace flow::net::websocket {

class FrameParser {
  public:
    struct Event {
        enum class Kind : std::uint8_t { need_more, message, ping, pong, close, error };
        Kind kind = Kind::need_more;
        Opcode opcode = Opcode::continuation;  // message: text or binary
        std::uint16_t code = 0;        // close: the peer's code; error: the code to close with
        std::span<std::byte> payload;  // message, ping, pong: the payload; close: the reason
        std::string_view detail;       // error: what was wrong, for a log line
    };

    explicit FrameParser(std::uint32_t max_message_size) : max_message_size_(max_message_size) {}

    // The next event from `input`, consuming what it used from its front; need_more once
    // `input` is empty (everything in it is then kept by the parser).
    Event next(std::span<std::byte>& input);

    template <class Handler>
    Event feed(std::span<std::byte> input, Handler& handler) {
        for (;;) {
            Event event = next(input);
            switch (event.kind) {
                case Event::Kind::message:
                    handler.on_message(event.opcode, event.payload);
                    break;
                case Event::Kind::ping:
                    handler.on_ping(event.payload);
                    break;
                case Event::Kind::pong:
                    handler.on_pong(event.payload);
                    break;
                case Event::Kind::close:
                    handler.on_close(
                        event.code,
                        std::string_view(reinterpret_cast<const char*>(event.payload.data()),
                                         event.payload.size()));
                    return event;
                case Event::Kind::need_more:
                case Event::Kind::error:
                    return event;
            }
        }
    }

    // After a close frame or an error: the parser takes nothing more.
    bool done() const { return state_ == State::closed || state_ == State::failed; }

    // The memory held for a partial message or control frame (0 between messages).
    std::size_t pending_capacity() const { return pending_.capacity(); }

  private:
    enum class State : std::uint8_t { header, payload, closed, failed };
    // What to do with pending_ at the next call, once the span handed out over it is dead.
    enum class Cleanup : std::uint8_t { none, release, drop_control };

    bool read_header(std::span<std::byte>& input);
    Event start_frame(const std::byte* header);
    Event control_payload(std::span<std::byte>& input);
    Event data_payload(std::span<std::byte>& input);
    Event control_event(std::span<std::byte> payload);
    Event fail(std::uint16_t code, std::string_view detail);
    void clean_up();

    std::vector<std::byte> pending_;  // the partial message, then a partial control frame
    std::uint64_t remaining_ = 0;     // payload bytes of the current frame still to come
    std::uint32_t max_message_size_;
    MaskKey mask_{};
    std::array<std::byte, 14> header_{};  // a header split across reads
    std::uint8_t header_size_ = 0;
    std::uint8_t control_size_ = 0;  // bytes of a split control frame at the end of pending_
    State state_ = State::header;
    Cleanup cleanup_ = Cleanup::none;
    Opcode opcode_ = Opcode::continuation;   // of the current frame
    Opcode message_ = Opcode::continuation;  // of the message under way (continuation: none)
    bool fin_ = false;
    Utf8Validator utf8_;  // of the text message under way
};

}  // namespace flow::net::websocket
