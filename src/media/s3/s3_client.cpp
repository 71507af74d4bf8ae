#include "media/s3/s3_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "media/media_store.hpp"

namespace flow {
namespace {

// Idle handles kept for reuse (each keeps its connections open); more are made on demand.
constexpr std::size_t kMaxIdleHandles = 8;

struct Exchange {
    S3Response response;
    std::size_t max_body = 0;
    bool too_long = false;
    bool empty_object = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    if (exchange.response.body.size() + size * n > exchange.max_body) {
        exchange.too_long = true;
        return 0;  // aborts the transfer
    }
    exchange.response.body.append(data, size * n);
    return size * n;
}

// The value of header `name` (lower case, with the colon) if `line` is that header.
std::optional<std::string_view> header_value(std::string_view line, std::string_view name) {
    if (line.size() < name.size() ||
        !std::equal(name.begin(), name.end(), line.begin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
        return std::nullopt;
    line.remove_prefix(name.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
        line.remove_suffix(1);
    return line;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& exchange = *static_cast<Exchange*>(user);
    const std::string_view line(data, size * n);
    if (auto etag = header_value(line, "etag:")) exchange.response.etag = *etag;
    if (auto range = header_value(line, "content-range:")) {
        const std::string_view total = range->substr(range->rfind('/') + 1);
        std::uint64_t size = 0;
        if (std::from_chars(total.data(), total.data() + total.size(), size).ec == std::errc{})
            exchange.response.object_size = size;
        // A range of an empty object has no bytes, whatever else the server says: s3rver
        // 5.0.0 announces one byte it never sends, and the request would hang until a timeout.
        if (exchange.response.object_size == 0u) {
            exchange.empty_object = true;
            return 0;  // aborts the transfer
        }
    }
    return size * n;
}

std::string xml_unescape(std::string_view s) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        bool replaced = false;
        if (s[i] == '&') {
            for (const auto& [entity, c] : kEntities) {
                if (s.substr(i, entity.size()) == entity) {
                    out += c;
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += s[i++];
    }
    return out;
}

}  // namespace

std::string xml_element(std::string_view xml, std::string_view tag) {
    const std::string open = '<' + std::string(tag) + '>';
    const std::string close = "</" + std::string(tag) + '>';
    const auto start = xml.find(open);
    if (start == std::string_view::npos) return {};
    const auto end = xml.find(close, start + open.size());
    if (end == std::string_view::npos) return {};
    return xml_unescape(xml.substr(start + open.size(), end - start - open.size()));
}

S3Client::S3Client(S3Config config)
    : config_(std::move(config)),
      signer_({config_.access_key, config_.secret_key}, config_.region),
      authority_(sigv4::url_authority(config_.endpoint)) {
    if (config_.endpoint.find("://") == std::string::npos || authority_.empty())
        throw MediaStoreError("S3 endpoint must be http(s)://host[:port], not \"" +
                              config_.endpoint + '"');
    if (config_.bucket.empty()) throw MediaStoreError("S3 bucket is not set");
}

S3Client::~S3Client() {
    for (void* handle : idle_) curl_easy_cleanup(handle);
}

void* S3Client::acquire() const {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            void* handle = idle_.back();
            idle_.pop_back();
            return handle;
        }
    }
    void* handle = curl_easy_init();
    if (!handle) throw MediaStoreError("S3: curl_easy_init failed");
    return handle;
}

void S3Client::release(void* handle) const {
    curl_easy_reset(handle);  // forgets the options, keeps the connections
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdleHandles) {
        idle_.push_back(handle);
        return;
    }
    curl_easy_cleanup(handle);
}

std::string S3Client::path(const std::string& key) const {
    return '/' + config_.bucket + (key.empty() ? "" : '/' + key);
}

S3Response S3Client::send(const S3Request& request) const {
    sigv4::Request signed_request{request.method, path(request.key), request.query,
                                  request.headers, sigv4::sha256_hex(request.body)};
    signed_request.headers.emplace_back("Host", authority_);
    signer_.sign(signed_request, sigv4::Clock::now());

    std::string url = config_.endpoint + sigv4::canonical_path(signed_request.path);
    if (!request.query.empty()) url += '?' + sigv4::canonical_query(request.query);

    // The headers curl sends are exactly those signed; curl adds none of its own that
    // matter (Expect and a form Content-Type are suppressed).
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr,
                                                                         curl_slist_free_all);
    auto add_header = [&](const std::string& line) {
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (!next) throw MediaStoreError("S3: out of memory");
        headers.release();
        headers.reset(next);
    };
    for (const auto& [name, value] : signed_request.headers) add_header(name + ": " + value);
    add_header("Expect:");
    add_header(request.method == "POST" ? "Content-Type: application/xml"
                                        : "Content-Type: application/octet-stream");

    Exchange exchange;
    exchange.max_body = request.max_response;
    struct Lease {  // gives the handle back to the pool however the call ends
        const S3Client& client;
        CURL* handle;
        ~Lease() { client.release(handle); }
    } lease{*this, acquire()};
    CURL* curl = lease.handle;

    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT" || request.method == "POST") {
        // Never null: curl would read the body from stdin.
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &exchange.response.status);
    if (exchange.empty_object) {
        exchange.response.body.clear();
        return std::move(exchange.response);
    }
    if (exchange.too_long) {
        throw MediaStoreError("S3 " + request.method + ' ' + path(request.key).substr(1) +
                              ": the answer is longer than " +
                              std::to_string(request.max_response) + " bytes");
    }
    if (rc != CURLE_OK) {
        throw MediaStoreError("S3 " + request.method + ' ' + path(request.key).substr(1) + ": " +
                              curl_easy_strerror(rc));
    }
    return std::move(exchange.response);
}

std::string S3Client::presign(std::string_view method, const std::string& key,
                              std::chrono::seconds expires) const {
    return signer_.presign(method, config_.endpoint, path(key), expires, sigv4::Clock::now());
}

void S3Client::fail(const S3Request& request, const S3Response& response) const {
    std::string message = "S3 " + request.method + ' ' + path(request.key).substr(1) +
                          ": HTTP " + std::to_string(response.status);
    const std::string code = xml_element(response.body, "Code");
    if (!code.empty()) message += ' ' + code;
    const std::string detail = xml_element(response.body, "Message");
    if (!detail.empty()) message += ": " + detail;
    if (response.status == 404 && code != "NoSuchBucket") throw MediaNotFoundError(message);
    throw MediaStoreError(message);
}

}  // namespace flow
