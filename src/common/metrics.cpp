#include "common/metrics.hpp"

#include <fmt/format.h>

#include "common/build_info.hpp"

namespace flow {

namespace {

// The method as a label: one of a fixed few, so that made-up methods cannot grow /metrics.
const char* method_label(const std::string& method) {
    for (const char* known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "-"})
        if (method == known) return known;
    return "other";
}

}  // namespace

void Metrics::record_request(const std::string& route, const std::string& method, int status,
                             double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, method_label(method), status}];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++bucket_counts_[i];
    ++latency_count_;
    latency_sum_ += seconds;
}

void Metrics::connection_refused(const char* reason) {
    std::lock_guard lock(mutex_);
    ++refused_[reason];
}

void Metrics::push(std::string_view kind, std::string_view outcome, std::uint64_t count) {
    std::lock_guard lock(mutex_);
    pushes_[{std::string(kind), std::string(outcome)}] += count;
}

void Metrics::report(std::string_view reason, std::uint64_t count) {
    std::lock_guard lock(mutex_);
    reports_[std::string(reason)] += count;
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out += "# HELP flow_http_requests_total HTTP requests answered, by route template, method and status.\n"
           "# TYPE flow_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
        const auto& [route, method, status] = key;
        out += fmt::format("flow_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                           route, method, status, count);
    }
    out += "# HELP flow_http_request_duration_seconds Time from a request read to its answer written.\n"
           "# TYPE flow_http_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        out += fmt::format("flow_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i],
                           bucket_counts_[i]);
    out += fmt::format("flow_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
    out += fmt::format("flow_http_request_duration_seconds_sum {}\n", latency_sum_);
    out += fmt::format("flow_http_request_duration_seconds_count {}\n", latency_count_);
    out += "# HELP flow_open_connections Client connections open now.\n"
           "# TYPE flow_open_connections gauge\n";
    out += fmt::format("flow_open_connections {}\n", open_connections_.load());
    out += "# HELP flow_connections_refused_total Connections closed as soon as accepted, by reason.\n"
           "# TYPE flow_connections_refused_total counter\n";
    for (const auto& [reason, count] : refused_)
        out += fmt::format("flow_connections_refused_total{{reason=\"{}\"}} {}\n", reason, count);
    out += "# HELP flow_push_total Pushes to devices, by push service and outcome (sent, failed, dropped, coalesced).\n"
           "# TYPE flow_push_total counter\n";
    for (const auto& [key, count] : pushes_)
        out += fmt::format("flow_push_total{{kind=\"{}\",outcome=\"{}\"}} {}\n", key.first, key.second, count);
    const auto& build = build_info();
    out += fmt::format("# HELP flow_build_info The flowd answering: its version, commit and build type.\n"
                       "# TYPE flow_build_info gauge\n"
                       "flow_build_info{{version=\"{}\",commit=\"{}\",build_type=\"{}\"}} 1\n",
                       build.version, build.commit, build.build_type);
    out += "# HELP flow_reports_total Reports of users filed, by reason (spam, abuse, other).\n"
           "# TYPE flow_reports_total counter\n";
    for (const auto& [reason, count] : reports_)
        out += fmt::format("flow_reports_total{{reason=\"{}\"}} {}\n", reason, count);
    return out;
}

}  // namespace flow
