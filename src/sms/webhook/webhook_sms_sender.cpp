#include "sms/webhook/webhook_sms_sender.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

namespace flow {

WebhookSmsSender::WebhookSmsSender(std::string url) : url_(std::move(url)) {}

Status WebhookSmsSender::send(const SmsMessage& message) {
    const std::string body = boost::json::serialize(
        boost::json::object{{"to", message.to}, {"code", message.code}, {"text", message.text}});

    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
        curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    // The answer's body is of no interest; without this curl would print it.
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION,
                     +[](char*, size_t size, size_t n, void*) { return size * n; });

    // libcurl asks this at least once a second, even while it waits for an answer.
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &cancelled_);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION,
                     +[](void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                         return static_cast<std::atomic<bool>*>(cancelled)->load() ? 1 : 0;
                     });

    const CURLcode rc = curl_easy_perform(curl.get());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        spdlog::warn("sms webhook failed: {} (HTTP {})", curl_easy_strerror(rc), status);
        return Error::unavailable("sms_unavailable", "the code could not be sent; try again");
    }
    return Ok{};
}

void WebhookSmsSender::cancel() { cancelled_ = true; }

}  // namespace flow
