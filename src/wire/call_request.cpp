#include "wire/call_request.hpp"

namespace flow::wire {

Result<CallSignalRequest> read_call_signal(JsonReader& in) {
    CallSignalRequest signal;
    signal.kind = in.string("kind");
    signal.payload_json = in.json_text("payload", kMaxSignalPayloadBytes);
    signal.to = in.optional_string("to");
    if (in.error()) return *in.error();
    return signal;
}

}  // namespace flow::wire
