#include "realtime/socketio/packet.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

namespace flow::realtime::socketio {

namespace json = boost::json;

namespace {

// More attachments than any client sends; a bound on what one packet may make us hold.
constexpr std::uint64_t kMaxAttachments = 1000;

// Event names the reference implementation keeps for itself.
constexpr std::array<std::string_view, 6> kReservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

Error invalid(std::string message) { return Error::invalid("invalid_packet", std::move(message)); }

bool is_binary(PacketType type) {
    return type == PacketType::binary_event || type == PacketType::binary_ack;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads the decimal number at the front of `text` (advancing it); nullopt when there is
// none or it overflows.
std::optional<std::uint64_t> take_number(std::string_view& text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

bool is_valid_payload(PacketType type, const json::value& payload) {
    switch (type) {
        case PacketType::connect:
            return payload.is_object();
        case PacketType::disconnect:
            return false;  // a DISCONNECT carries nothing
        case PacketType::connect_error:
            return payload.is_string() || payload.is_object();
        case PacketType::event:
        case PacketType::binary_event: {
            const auto* args = payload.if_array();
            if (!args || args->empty()) return false;
            if (args->front().is_number()) return true;
            const auto* name = args->front().if_string();
            if (!name) return false;
            for (auto reserved : kReservedEvents)
                if (*name == reserved) return false;
            return true;
        }
        case PacketType::ack:
        case PacketType::binary_ack:
            return payload.is_array();
    }
    return false;
}

bool requires_payload(PacketType type) {
    return type == PacketType::event || type == PacketType::binary_event || type == PacketType::ack ||
           type == PacketType::binary_ack;
}

// Whether every placeholder in `value` names one of `count` attachments.
bool placeholders_valid(const json::value& value, std::size_t count) {
    if (const auto* array = value.if_array()) {
        for (const auto& item : *array)
            if (!placeholders_valid(item, count)) return false;
        return true;
    }
    const auto* object = value.if_object();
    if (!object) return true;
    if (const auto* flag = object->if_contains("_placeholder"); flag && flag->is_bool() && flag->get_bool()) {
        const auto* num = object->if_contains("num");
        return num && num->is_int64() && num->get_int64() >= 0 &&
               static_cast<std::uint64_t>(num->get_int64()) < count;
    }
    for (const auto& [key, item] : *object)
        if (!placeholders_valid(item, count)) return false;
    return true;
}

}  // namespace

json::object placeholder(std::size_t num) {
    return json::object{{"_placeholder", true}, {"num", num}};
}

EncodedPacket encode(const Packet& packet) {
    auto type = packet.type;
    if (!packet.attachments.empty()) {
        if (type == PacketType::event) type = PacketType::binary_event;
        if (type == PacketType::ack) type = PacketType::binary_ack;
    }
    std::string text(1, static_cast<char>('0' + static_cast<int>(type)));
    if (is_binary(type)) {
        text += std::to_string(packet.attachments.size());
        text += '-';
    }
    if (packet.nsp != "/") {
        text += packet.nsp;
        text += ',';
    }
    if (packet.id) text += std::to_string(*packet.id);
    if (packet.data) text += json::serialize(*packet.data);
    return {std::make_shared<const std::string>(std::move(text)), packet.attachments};
}

Result<std::optional<Packet>> Decoder::add_text(std::string_view frame) {
    if (pending_) return invalid("a text frame while binary attachments were due");
    if (frame.empty() || frame.front() < '0' || frame.front() > '6') return invalid("unknown packet type");

    Packet packet;
    packet.type = static_cast<PacketType>(frame.front() - '0');
    frame.remove_prefix(1);

    std::uint64_t attachments = 0;
    if (is_binary(packet.type)) {
        const auto count = take_number(frame);
        if (!count || *count > kMaxAttachments || !frame.starts_with('-')) return invalid("illegal attachments");
        frame.remove_prefix(1);
        attachments = *count;
    }
    if (frame.starts_with('/')) {
        const auto comma = frame.find(',');
        packet.nsp = std::string(frame.substr(0, comma));
        frame.remove_prefix(comma == std::string_view::npos ? frame.size() : comma + 1);
    }
    if (!frame.empty() && is_digit(frame.front())) {
        packet.id = take_number(frame);
        if (!packet.id) return invalid("invalid ack id");
    }
    if (!frame.empty()) {
        boost::system::error_code ec;
        auto payload = json::parse(frame, ec);
        if (ec) return invalid("invalid payload");
        if (!is_valid_payload(packet.type, payload)) return invalid("invalid payload");
        packet.data = std::move(payload);
    } else if (requires_payload(packet.type)) {
        return invalid("missing payload");
    }

    if (is_binary(packet.type) && packet.data && !placeholders_valid(*packet.data, attachments)) return invalid("illegal attachments");
    if (attachments == 0) return std::optional<Packet>(std::move(packet));
    pending_ = std::make_unique<Packet>(std::move(packet));
    expected_ = attachments;
    return std::optional<Packet>();
}

Result<std::optional<Packet>> Decoder::add_binary(Binary frame) {
    if (!pending_) return invalid("a binary frame that no packet announced");
    pending_bytes_ += frame ? frame->size() : 0;
    if (pending_bytes_ > max_attachment_bytes_) {
        pending_.reset();  // unusable from here on: the connection closes
        return invalid("attachments too large");
    }
    pending_->attachments.push_back(std::move(frame));
    if (pending_->attachments.size() < expected_) return std::optional<Packet>();
    std::optional<Packet> packet = std::move(*pending_);
    pending_.reset();
    expected_ = 0;
    pending_bytes_ = 0;
    return packet;
}

}  // namespace flow::realtime::socketio
