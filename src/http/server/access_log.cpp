#include "http/server/access_log.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/log_format.hpp"

namespace flow::http {

std::string request_id_for(std::string_view sent) {
    const bool usable = !sent.empty() && sent.size() <= 128 &&
                        std::all_of(sent.begin(), sent.end(), [](char c) { return c > ' ' && c < 127; });
    return usable ? std::string(sent) : new_id(SystemClock().now_ms());
}

void log_access(const AccessEntry& entry) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - entry.started).count();
    logs::Line line("request");
    line.add("method", entry.method).add("path", entry.path).add("status", std::int64_t{entry.status});
    line.add_fixed("duration_ms", ms).add("client", entry.client);
    if (!entry.user.empty()) line.add("user", entry.user);
    line.add("request_id", entry.request_id).write(spdlog::level::info);
}

}  // namespace flow::http
