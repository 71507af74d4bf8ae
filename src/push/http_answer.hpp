#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace flow::push {

// What a push service answered to one request.
struct HttpAnswer {
    long status = 0;      // 0: no answer (the connection failed or timed out)
    std::string error;    // why there was no answer
    std::string body;
    std::optional<long> retry_after_s;
};

// Sends one request and waits for its answer (for an access token, now and then).
using HttpFetch = std::function<HttpAnswer(const std::string& url, const std::vector<std::string>& headers,
                                           const std::string& body)>;

}  // namespace flow::push
