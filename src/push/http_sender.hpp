#pragma once

#include <curl/curl.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "push/http_answer.hpp"
#include "push/push_service.hpp"

namespace flow::push {

// Sends push requests over HTTPS from a thread of its own, many at once over HTTP/2
// (libcurl's multi interface: one connection per service carries them all), and hands
// each answer to `answered` on that thread. Sending never blocks its caller.
class HttpSender {
public:
    using Answered = std::function<void(OutgoingPush push, HttpAnswer answer)>;

    // `ca_bundle`: PEM certificates to trust instead of the system's; empty for the
    // system's.
    HttpSender(std::string ca_bundle, Answered answered);
    ~HttpSender();
    HttpSender(const HttpSender&) = delete;
    HttpSender& operator=(const HttpSender&) = delete;

    void send(OutgoingPush push);

private:
    void run();

    const std::string ca_bundle_;
    const Answered answered_;
    CURLM* multi_;
    std::mutex mutex_;
    std::vector<OutgoingPush> queued_;
    bool stopping_ = false;
    std::thread thread_;
};

// One request, answered before this returns (an access token, now and then), trusting
// `ca_bundle` as HttpSender does. Blocking; any thread.
HttpAnswer fetch_now(const std::string& ca_bundle, const std::string& url, const std::vector<std::string>& headers,
                     const std::string& body);

}  // namespace flow::push
