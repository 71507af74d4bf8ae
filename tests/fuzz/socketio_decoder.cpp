// Socket.IO v5: the frames of one connection as its Decoder reassembles them. The input is
// split at each 0xFF byte (never in UTF-8 text) into frames: one that starts with 'b' is a
// binary frame (the rest of it), any other a text frame. A packet that decodes must encode
// to frames that decode again to the same type, namespace, ack id and attachment count.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "realtime/socketio/packet.hpp"

using namespace flow::realtime::socketio;

namespace {

void check_round_trip(const Packet& packet) {
    const auto encoded = encode(packet);
    Decoder decoder;
    auto result = decoder.add_text(*encoded.text);
    for (const auto& attachment : encoded.attachments) {
        if (!result || *result) std::abort();  // a packet before its attachments
        result = decoder.add_binary(attachment);
    }
    if (!result || !*result) std::abort();
    const Packet& again = **result;
    if (again.nsp != packet.nsp || again.id != packet.id || again.data.has_value() != packet.data.has_value() ||
        again.attachments.size() != packet.attachments.size())
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    Decoder decoder;
    for (;;) {
        const auto end = input.find('\xff');
        const auto frame = input.substr(0, end);
        auto result = frame.starts_with('b') ? decoder.add_binary(std::make_shared<const std::string>(frame.substr(1)))
                                             : decoder.add_text(frame);
        if (!result) return 0;  // the connection closes
        if (*result) check_round_trip(**result);
        if (end == std::string_view::npos) return 0;
        input.remove_prefix(end + 1);
    }
}
