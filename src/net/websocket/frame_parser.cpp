#include "net/websocket/frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace flow::net::websocket {
namespace {

using Event = FrameParser::Event;

std::uint8_t byte_at(const std::byte* p, std::size_t i) {
    return static_cast<std::uint8_t>(p[i]);
}

std::uint64_t big_endian(const std::byte* p, std::size_t size) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) value = value << 8 | byte_at(p, i);
    return value;
}

// The whole header's length, known from its second byte: 2, the extended length (0, 2
// or 8) and the masking key (4, when the mask bit is set).
std::size_t header_length(std::byte second) {
    const auto b = static_cast<std::uint8_t>(second);
    const std::uint8_t length = b & 0x7F;
    return 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + ((b & 0x80) ? 4 : 0);
}

bool is_known(std::uint8_t opcode) {
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

void take(std::span<std::byte>& input, std::size_t count) {
    input = input.subspan(count);
}

Event event(Event::Kind kind, std::span<std::byte> payload, Opcode opcode = Opcode::continuation,
            std::uint16_t code = 0) {
    Event out;
    out.kind = kind;
    out.opcode = opcode;
    out.code = code;
    out.payload = payload;
    return out;
}

}  // namespace

Event FrameParser::next(std::span<std::byte>& input) {
    clean_up();
    for (;;) {
        switch (state_) {
            case State::closed:
            case State::failed:
                return {};
            case State::header: {
                const std::byte* header = nullptr;
                if (header_size_ == 0 && input.size() >= 2 &&
                    input.size() >= header_length(input[1])) {
                    header = input.data();  // the usual case: no copy
                    take(input, header_length(input[1]));
                } else {
                    if (!read_header(input)) return {};
                    header = header_.data();
                    header_size_ = 0;
                }
                if (Event refused = start_frame(header); refused.kind == Event::Kind::error)
                    return refused;
                break;
            }
            case State::payload: {
                Event out = is_control(opcode_) ? control_payload(input) : data_payload(input);
                // need_more with the frame finished: a fragment went into pending_; go on.
                if (out.kind != Event::Kind::need_more || state_ == State::payload) return out;
                break;
            }
        }
    }
}

bool FrameParser::read_header(std::span<std::byte>& input) {
    auto fill = [&](std::size_t want) {
        const std::size_t count = std::min(want - header_size_, input.size());
        if (count > 0) std::memcpy(header_.data() + header_size_, input.data(), count);
        header_size_ += static_cast<std::uint8_t>(count);
        take(input, count);
        return header_size_ == want;
    };
    if (header_size_ < 2 && !fill(2)) return false;
    return fill(header_length(header_[1]));
}

Event FrameParser::start_frame(const std::byte* header) {
    const std::uint8_t first = byte_at(header, 0), second = byte_at(header, 1);
    if (first & 0x70) return fail(close_code::protocol_error, "reserved bits set");
    if (!is_known(first & 0x0F)) return fail(close_code::protocol_error, "unknown opcode");
    if (!(second & 0x80)) return fail(close_code::protocol_error, "unmasked client frame");
    const auto opcode = static_cast<Opcode>(first & 0x0F);
    const bool fin = first & 0x80;

    std::uint64_t length = second & 0x7F;
    const std::byte* key = header + 2;
    if (length == 126) {
        length = big_endian(key, 2);
        key += 2;
    } else if (length == 127) {
        length = big_endian(key, 8);
        key += 8;
        if (length >> 63)
            return fail(close_code::protocol_error, "64-bit length with the top bit set");
    }

    if (is_control(opcode)) {
        if (!fin) return fail(close_code::protocol_error, "fragmented control frame");
        if (length > 125) return fail(close_code::protocol_error, "control frame over 125 bytes");
    } else {
        const bool continues = opcode == Opcode::continuation;
        const bool under_way = message_ != Opcode::continuation;
        if (continues && !under_way)
            return fail(close_code::protocol_error, "continuation with no message started");
        if (!continues && under_way)
            return fail(close_code::protocol_error, "new message inside a fragmented one");
        // pending_ holds the message so far (a control frame's bytes are gone by now).
        const std::uint64_t so_far = continues ? pending_.size() : 0;
        if (length > max_message_size_ - so_far)
            return fail(close_code::message_too_big, "message too big");
        if (!continues) {
            message_ = opcode;
            utf8_.reset();
        }
    }
    std::memcpy(mask_.data(), key, mask_.size());
    opcode_ = opcode;
    fin_ = fin;
    remaining_ = length;
    state_ = State::payload;
    return {};
}

Event FrameParser::control_payload(std::span<std::byte>& input) {
    if (control_size_ == 0 && input.size() >= remaining_) {  // whole in input: no copy
        auto payload = input.first(remaining_);
        take(input, remaining_);
        unmask(payload, mask_);
        remaining_ = 0;
        state_ = State::header;
        return control_event(payload);
    }
    const std::size_t count = std::min<std::uint64_t>(remaining_, input.size());
    auto chunk = input.first(count);
    take(input, count);
    unmask(chunk, mask_);
    pending_.insert(pending_.end(), chunk.begin(), chunk.end());
    control_size_ += static_cast<std::uint8_t>(count);
    remaining_ -= count;
    if (remaining_ > 0) return {};
    state_ = State::header;
    cleanup_ = message_ == Opcode::continuation ? Cleanup::release : Cleanup::drop_control;
    return control_event(std::span(pending_).last(control_size_));
}

Event FrameParser::control_event(std::span<std::byte> payload) {
    switch (opcode_) {
        case Opcode::ping:
            return event(Event::Kind::ping, payload);
        case Opcode::pong:
            return event(Event::Kind::pong, payload);
        default:
            break;
    }
    if (payload.size() == 1)
        return fail(close_code::protocol_error, "close frame with a 1-byte payload");
    std::uint16_t code = close_code::no_status;
    if (!payload.empty()) {
        code = static_cast<std::uint16_t>(big_endian(payload.data(), 2));
        if (!is_valid_close_code(code))
            return fail(close_code::protocol_error, "invalid close code");
        payload = payload.subspan(2);
        if (!is_valid_utf8(payload))
            return fail(close_code::invalid_payload, "close reason is not UTF-8");
    }
    state_ = State::closed;
    return event(Event::Kind::close, payload, Opcode::close, code);
}

Event FrameParser::data_payload(std::span<std::byte>& input) {
    if (fin_ && opcode_ != Opcode::continuation && pending_.empty() && input.size() >= remaining_) {
        // A whole unfragmented message in input: handed out where it lies.
        auto payload = input.first(remaining_);
        take(input, remaining_);
        unmask(payload, mask_);
        remaining_ = 0;
        state_ = State::header;
        message_ = Opcode::continuation;
        if (opcode_ == Opcode::text && !is_valid_utf8(payload))
            return fail(close_code::invalid_payload, "text message is not UTF-8");
        return event(Event::Kind::message, payload, opcode_);
    }
    const std::size_t count = std::min<std::uint64_t>(remaining_, input.size());
    auto chunk = input.first(count);
    take(input, count);
    unmask(chunk, mask_);
    remaining_ -= count;
    // Checked as it comes, so that a client cannot make us buffer text already invalid.
    if (message_ == Opcode::text && !utf8_.feed(chunk))
        return fail(close_code::invalid_payload, "text message is not UTF-8");
    pending_.insert(pending_.end(), chunk.begin(), chunk.end());
    if (remaining_ > 0) return {};
    state_ = State::header;
    if (!fin_) return {};
    const Opcode opcode = message_;
    message_ = Opcode::continuation;
    if (opcode == Opcode::text && !utf8_.complete())
        return fail(close_code::invalid_payload, "text message is not UTF-8");
    cleanup_ = Cleanup::release;
    return event(Event::Kind::message, std::span(pending_), opcode);
}

Event FrameParser::fail(std::uint16_t code, std::string_view detail) {
    state_ = State::failed;
    std::vector<std::byte>().swap(pending_);  // no error event points into it
    cleanup_ = Cleanup::none;
    control_size_ = 0;
    Event out = event(Event::Kind::error, {}, Opcode::continuation, code);
    out.detail = detail;
    return out;
}

void FrameParser::clean_up() {
    if (cleanup_ == Cleanup::none) return;
    if (cleanup_ == Cleanup::release) {
        std::vector<std::byte>().swap(pending_);  // the capacity too, not just the size
    } else {
        pending_.resize(pending_.size() - control_size_);  // the message under way stays
    }
    cleanup_ = Cleanup::none;
    control_size_ = 0;
}

}  // namespace flow::net::websocket
