#include "push/http_sender.hpp"

#include <memory>
#include <unordered_set>

#include "common/thread_name.hpp"

namespace flow::push {

namespace {

constexpr long kTimeoutMs = 30'000;
constexpr long kConnectTimeoutMs = 10'000;
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// One request on its way: what it sends, and what has come back of its answer.
struct Transfer {
    OutgoingPush push;
    std::string body;  // a fetch's (a push's is in `push`)
    curl_slist* headers = nullptr;
    std::string answer;
    std::optional<long> retry_after_s;

    ~Transfer() { curl_slist_free_all(headers); }
};

// An easy handle for a POST of `body` (which must outlive it) to `url`.
CURL* make_request(const std::string& ca_bundle, Transfer& transfer, const std::string& url, const std::string& body) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.headers);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);  // wait to share a connection rather than open another
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, kTimeoutMs);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (!ca_bundle.empty()) {
        curl_blob blob{const_cast<char*>(ca_bundle.data()), ca_bundle.size(), CURL_BLOB_NOCOPY};
        curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* self) -> size_t {
        auto& answer = static_cast<Transfer*>(self)->answer;
        answer.append(data, std::min(n, kMaxAnswerBytes - std::min(answer.size(), kMaxAnswerBytes)));
        return n;
    });
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, +[](char* data, size_t, size_t n, void* self) -> size_t {
        const std::string_view line(data, n);
        constexpr std::string_view name = "retry-after:";
        if (line.size() > name.size()) {
            std::string head(line.substr(0, name.size()));
            for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (head == name) {
                try {
                    static_cast<Transfer*>(self)->retry_after_s = std::stol(std::string(line.substr(name.size())));
                } catch (const std::exception&) {
                    // An HTTP date, or nonsense: the backoff's own delay then.
                }
            }
        }
        return n;
    });
    return easy;
}

HttpAnswer answer_of(CURL* easy, CURLcode result, Transfer& transfer) {
    HttpAnswer answer;
    if (result == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &answer.status);
    else answer.error = curl_easy_strerror(result);
    answer.body = std::move(transfer.answer);
    answer.retry_after_s = transfer.retry_after_s;
    return answer;
}

}  // namespace

HttpSender::HttpSender(std::string ca_bundle, Answered answered)
    : ca_bundle_(std::move(ca_bundle)), answered_(std::move(answered)), multi_(curl_multi_init()) {
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    thread_ = std::thread([this] { run(); });
}

HttpSender::~HttpSender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    curl_multi_cleanup(multi_);
}

void HttpSender::send(OutgoingPush push) {
    {
        std::lock_guard lock(mutex_);
        queued_.push_back(std::move(push));
    }
    curl_multi_wakeup(multi_);
}

HttpAnswer fetch_now(const std::string& ca_bundle, const std::string& url, const std::vector<std::string>& headers,
                     const std::string& body) {
    Transfer transfer;
    for (const auto& header : headers) transfer.headers = curl_slist_append(transfer.headers, header.c_str());
    transfer.body = body;
    CURL* easy = make_request(ca_bundle, transfer, url, transfer.body);
    const auto result = curl_easy_perform(easy);
    auto answer = answer_of(easy, result, transfer);
    curl_easy_cleanup(easy);
    return answer;
}

void HttpSender::run() {
    name_this_thread("flow-push-http");
    std::vector<OutgoingPush> batch;
    std::unordered_set<CURL*> active;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
            batch.swap(queued_);
        }
        for (auto& push : batch) {
            auto transfer = std::make_unique<Transfer>();
            transfer->push = std::move(push);
            for (const auto& header : transfer->push.headers)
                transfer->headers = curl_slist_append(transfer->headers, header.c_str());
            CURL* easy = make_request(ca_bundle_, *transfer, transfer->push.url, transfer->push.body);
            curl_multi_add_handle(multi_, easy);
            active.insert(easy);
            transfer.release();  // owned by the handle (CURLOPT_PRIVATE) until it is done
        }
        batch.clear();
        int running = 0;
        curl_multi_perform(multi_, &running);
        int left = 0;
        while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL* easy = message->easy_handle;
            Transfer* raw = nullptr;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
            std::unique_ptr<Transfer> transfer(raw);
            auto answer = answer_of(easy, message->data.result, *transfer);
            curl_multi_remove_handle(multi_, easy);
            curl_easy_cleanup(easy);
            active.erase(easy);
            answered_(std::move(transfer->push), std::move(answer));
        }
        curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    // Stopping: what is still on its way is dropped with the process.
    for (CURL* easy : active) {
        Transfer* raw = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
        curl_multi_remove_handle(multi_, easy);
        curl_easy_cleanup(easy);
        delete raw;
    }
}

}  // namespace flow::push
