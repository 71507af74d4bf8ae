#pragma once

#include "common/result.hpp"
#include "domain/call.hpp"
#include "wire/json_reader.hpp"

namespace flow::wire {

// A signal for another participant, `{kind, payload, to?}`, as both
// POST /calls/{id}/signal and the sockets' call:signal carry it.
Result<CallSignalRequest> read_call_signal(JsonReader& in);

}  // namespace flow::wire
