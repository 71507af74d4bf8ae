#include "media/s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace flow::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Header values are signed trimmed, with runs of spaces folded into one.
std::string trim_value(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Lower-case names, sorted by name; repeated names joined with commas in their order.
Params canonical_headers(const Params& headers) {
    Params out;
    for (const auto& [name, value] : headers) out.emplace_back(lower(name), trim_value(value));
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    Params merged;
    for (auto& h : out) {
        if (!merged.empty() && merged.back().first == h.first) {
            merged.back().second += ',' + h.second;
        } else {
            merged.push_back(std::move(h));
        }
    }
    return merged;
}

}  // namespace

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0xf];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return hex({reinterpret_cast<const char*>(digest), sizeof digest});
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
              &length)) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return {reinterpret_cast<const char*>(digest), length};
}

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0xf];
        }
    }
    return out;
}

std::string canonical_path(std::string_view path) {
    // S3 signs the path as sent: encoded once, not normalised.
    if (path.empty()) return "/";
    return uri_encode(path, true);
}

std::string canonical_query(const Params& query) {
    Params encoded;
    for (const auto& [name, value] : query) {
        encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) out += '&';
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::string amz_date(Clock::time_point t) {
    const std::time_t seconds = Clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[17];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
    return buf;
}

std::string signed_headers(const Params& headers) {
    std::string out;
    for (const auto& [name, value] : canonical_headers(headers)) {
        if (!out.empty()) out += ';';
        out += name;
    }
    return out;
}

std::string canonical_request(const Request& request) {
    std::string out = request.method + '\n';
    out += canonical_path(request.path) + '\n';
    out += canonical_query(request.query) + '\n';
    for (const auto& [name, value] : canonical_headers(request.headers)) {
        out += name + ':' + value + '\n';
    }
    out += '\n';
    out += signed_headers(request.headers) + '\n';
    out += request.payload_hash;
    return out;
}

std::string credential_scope(std::string_view date8, std::string_view region,
                             std::string_view service) {
    return std::string(date8) + '/' + std::string(region) + '/' + std::string(service) +
           "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
    return std::string(kAlgorithm) + '\n' + std::string(amz_date) + '\n' + std::string(scope) +
           '\n' + sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret_key, std::string_view date8,
                        std::string_view region, std::string_view service) {
    const std::string k_date = hmac_sha256("AWS4" + std::string(secret_key), date8);
    const std::string k_region = hmac_sha256(k_date, region);
    const std::string k_service = hmac_sha256(k_region, service);
    return hmac_sha256(k_service, "aws4_request");
}

std::string url_authority(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos) url.remove_prefix(scheme_end + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    const auto at = url.rfind('@');
    if (at != std::string_view::npos) url.remove_prefix(at + 1);
    return std::string(url);
}

Signer::Signer(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)) {}

std::string Signer::scope(std::string_view date8) const {
    return credential_scope(date8, region_, service_);
}

std::string Signer::signature(const Request& request, std::string_view amz_date) const {
    const std::string_view date8 = amz_date.substr(0, 8);
    const std::string to_sign = string_to_sign(amz_date, scope(date8), canonical_request(request));
    return hex(hmac_sha256(signing_key(credentials_.secret_key, date8, region_, service_), to_sign));
}

std::string Signer::authorization(const Request& request, std::string_view amz_date) const {
    return std::string(kAlgorithm) + " Credential=" + credentials_.access_key + '/' +
           scope(amz_date.substr(0, 8)) + ",SignedHeaders=" + signed_headers(request.headers) +
           ",Signature=" + signature(request, amz_date);
}

void Signer::sign(Request& request, Clock::time_point now) const {
    const std::string date = amz_date(now);
    request.headers.emplace_back("x-amz-date", date);
    request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
    std::string auth = authorization(request, date);
    request.headers.emplace_back("Authorization", std::move(auth));
}

std::string Signer::presign(std::string_view method, std::string_view base_url,
                            std::string_view path, std::chrono::seconds expires,
                            Clock::time_point now, Params query) const {
    const std::string date = amz_date(now);
    const std::string date8 = date.substr(0, 8);
    query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
    query.emplace_back("X-Amz-Credential", credentials_.access_key + '/' + scope(date8));
    query.emplace_back("X-Amz-Date", date);
    query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
    query.emplace_back("X-Amz-SignedHeaders", "host");

    const Request request{std::string(method), std::string(path), std::move(query),
                          {{"host", url_authority(base_url)}}, std::string(kUnsignedPayload)};

    std::string url(base_url);
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url + canonical_path(path) + '?' + canonical_query(request.query) +
           "&X-Amz-Signature=" + signature(request, date);
}

}  // namespace flow::sigv4
