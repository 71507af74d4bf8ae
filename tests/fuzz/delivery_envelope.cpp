// What another node sends through the link between nodes (Redis): a delivery's envelope.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/encoded_delivery.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto delivery = flow::wire::from_envelope(std::string_view(reinterpret_cast<const char*>(data), size));
    // What decodes must encode again, and decode to the same.
    if (delivery) {
        auto again = flow::wire::from_envelope(flow::wire::to_envelope(*delivery));
        if (!again || again->user_ids != delivery->user_ids || again->data_json != delivery->data_json ||
            again->seq != delivery->seq || again->ended_session != delivery->ended_session)
            __builtin_trap();
    }
    return 0;
}
