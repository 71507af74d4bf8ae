#pragma once

#include <cstdint>

namespace flow {

// Milliseconds since the Unix epoch: the one time type of Flow's domain and wire.
using TimeMs = std::int64_t;

// The source of "now" for use cases; injected so that tests can hold time still.
// Implementations are thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimeMs now_ms() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
public:
    TimeMs now_ms() const override;
};

}  // namespace flow
