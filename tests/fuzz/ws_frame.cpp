// The plain WebSocket (/ws): a client's text frame, `{"event", "data"?, "ack"?}`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/client_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto frame = flow::wire::read_client_frame(std::string_view(reinterpret_cast<const char*>(data), size));
    (void)frame.ok();
    return 0;
}
