#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace flow::http {

// The caps on open client connections: in all, and from one peer address. A connection
// over either is closed as soon as it is accepted.
struct ConnectionCaps {
    std::size_t total = 100'000;
    std::size_t per_address = 1'000;
};

// Counts the open connections against ConnectionCaps. Thread-safe.
class ConnectionLimits {
public:
    // One admitted connection, counted until it is destroyed.
    class Slot {
    public:
        Slot() = default;
        Slot(Slot&& other) noexcept;
        Slot& operator=(Slot&& other) noexcept;
        ~Slot();
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;

    private:
        friend class ConnectionLimits;
        Slot(ConnectionLimits* limits, std::string address, bool per_address)
            : limits_(limits), address_(std::move(address)), per_address_(per_address) {}
        ConnectionLimits* limits_ = nullptr;
        std::string address_;
        bool per_address_ = false;
    };

    enum class Verdict { admitted, too_many, too_many_from_address };

    explicit ConnectionLimits(ConnectionCaps caps) : caps_(caps) {}

    // Counts a new connection from `address` unless a cap is reached; `per_address`
    // false exempts it from the per-address cap (a trusted load balancer, whose
    // connections carry many clients).
    Verdict admit(const std::string& address, bool per_address, Slot& slot);

private:
    void release(const std::string& address, bool per_address);

    const ConnectionCaps caps_;
    std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> by_address_;
};

}  // namespace flow::http
