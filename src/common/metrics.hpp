#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <tuple>

namespace flow {

// The server's Prometheus metrics: requests by route, method and status, a latency
// histogram, open connections and refused ones. Recorded from any thread; rendered for
// GET /metrics. Every label set is bounded: routes are templates, a method outside
// GET HEAD POST PUT PATCH DELETE OPTIONS counts as `other`, reasons are the server's own.
class Metrics {
public:
    void record_request(const std::string& route, const std::string& method, int status,
                        double seconds);
    void connection_opened() { ++open_connections_; }
    void connection_closed() { --open_connections_; }
    // A connection closed as soon as it was accepted, and why ("max_connections",
    // "max_connections_per_address", "descriptors").
    void connection_refused(const char* reason);
    // What became of a push to a device through a push service (`kind`: webpush, fcm,
    // apns, unifiedpush; `any` for what was dropped before its devices were known): `sent` (the service took it), `failed` (it answered with an
    // error, or not at all; a retry may follow), `dropped` (given up: its time to live
    // passed, or too many were waiting) or `coalesced` (a message folded into a later
    // push of its chat).
    void push(std::string_view kind, std::string_view outcome, std::uint64_t count = 1);
    // A report of a user filed, by its reason (0 makes the reason's series appear).
    void report(std::string_view reason, std::uint64_t count = 1);

    // The Prometheus text exposition format (version 0.0.4).
    std::string render() const;

private:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
    std::uint64_t latency_count_ = 0;
    double latency_sum_ = 0;
    std::atomic<long> open_connections_{0};
    std::map<std::string, std::uint64_t> refused_;
    std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> pushes_;
    std::map<std::string, std::uint64_t, std::less<>> reports_;
};

}  // namespace flow
