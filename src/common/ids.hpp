#pragma once

#include <string>

#include "common/clock.hpp"

namespace flow {

// New opaque ids: 26 lowercase base32 characters, a millisecond timestamp followed by 80
// random bits, so ids sort roughly by creation time and never collide in practice.
// Thread-safe.
std::string new_id(TimeMs now);

}  // namespace flow
