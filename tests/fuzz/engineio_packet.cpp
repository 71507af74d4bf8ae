// Engine.IO v4: a WebSocket text frame and a polling payload (a POST body), as a client
// sends them. A payload that decodes must encode back to one that decodes the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "realtime/engineio/packet.hpp"

using namespace flow::realtime::engineio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    if (auto packet = decode_text(input); packet && encode_text(*packet) != input) std::abort();

    auto packets = decode_payload(input);
    if (!packets) return 0;
    std::string again;
    for (const auto& packet : *packets) append_to_payload(again, packet.type, packet.data, packet.binary);
    auto decoded = decode_payload(again);
    if (!decoded || *decoded != *packets) std::abort();
    return 0;
}
