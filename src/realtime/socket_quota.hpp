#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace flow::realtime {

// How many sockets (/ws and Socket.IO together) each device (one sign-in, one token) has
// open on this node, and the most it may: a token cannot open sockets without bound.
// Thread-safe.
class SocketQuota {
public:
    // One socket's place in its device's quota, given back when destroyed or released.
    class Slot {
    public:
        Slot() = default;
        Slot(Slot&& other) noexcept : quota_(std::exchange(other.quota_, nullptr)), device_(std::move(other.device_)) {}
        Slot& operator=(Slot&& other) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() { release(); }
        // Gives the place back now (idempotent).
        void release();

    private:
        friend class SocketQuota;
        Slot(SocketQuota* quota, std::string device) : quota_(quota), device_(std::move(device)) {}
        SocketQuota* quota_ = nullptr;
        std::string device_;
    };

    explicit SocketQuota(std::size_t per_device) : per_device_(per_device) {}
    SocketQuota(const SocketQuota&) = delete;
    SocketQuota& operator=(const SocketQuota&) = delete;

    // A place for one more socket of `device` (its session id), or nullopt when it has
    // per_device open already. The quota must outlive the Slot.
    std::optional<Slot> acquire(const std::string& device);
    std::size_t per_device() const { return per_device_; }

private:
    void give_back(const std::string& device);

    const std::size_t per_device_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> open_;  // by device; no entry for none
};

}  // namespace flow::realtime
