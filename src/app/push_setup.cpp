#include "app/push_setup.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "push/http_sender.hpp"
#include "push/services/apns.hpp"
#include "push/services/fcm.hpp"
#include "push/services/unified_push.hpp"
#include "push/services/web_push.hpp"

namespace flow::app {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The system's CA certificates and those of `extra_ca_file`, as one PEM bundle; empty
// when no extra file is given (the system's are then libcurl's default).
std::string ca_bundle_with(const std::string& extra_ca_file) {
    if (extra_ca_file.empty()) return {};
    constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";
    // A machine without the system's bundle trusts the extra certificates alone.
    const std::string system = fs::exists(kSystemBundle) ? read_file(kSystemBundle) + "\n" : std::string();
    return system + read_file(extra_ca_file);
}

}  // namespace

push::SigningKey signing_key_from(const std::string& path) {
    auto key = push::SigningKey::from_pem(read_file(path));
    if (!key) throw std::runtime_error(path + ": " + key.error().message);
    return std::move(*key);
}

std::unique_ptr<push::PushDispatcher> make_push(const Config& config, const push::SigningKey& vapid_key,
                                                push::PushDispatcher::Stores stores, Metrics& metrics,
                                                const Clock& clock) {
    const auto& c = config.push;
    const auto ca_bundle = ca_bundle_with(c.ca_file);
    push::PushDispatcher::Services services;
    services[PushKind::webpush] = std::make_unique<push::WebPushService>(vapid_key, c.vapid_subject);
    services[PushKind::unifiedpush] = std::make_unique<push::UnifiedPushService>();
    if (!c.fcm_credentials.empty()) {
        auto account = push::ServiceAccount::from_json(read_file(c.fcm_credentials));
        if (!account) throw std::runtime_error(c.fcm_credentials + ": " + account.error().message);
        services[PushKind::fcm] = std::make_unique<push::FcmService>(
            std::move(*account), c.fcm_endpoint,
            [ca_bundle](const std::string& url, const std::vector<std::string>& headers, const std::string& body) {
                return push::fetch_now(ca_bundle, url, headers, body);
            });
    }
    if (!c.apns_key.empty()) {
        if (c.apns_key_id.empty() || c.apns_team_id.empty() || c.apns_topic.empty())
            throw std::runtime_error("APNs needs --apns-key-id, --apns-team-id and --apns-topic with --apns-key");
        auto key = signing_key_from(c.apns_key);
        if (!key.is_p256()) throw std::runtime_error(c.apns_key + ": an APNs key is a P-256 key (.p8)");
        services[PushKind::apns] = std::make_unique<push::ApnsService>(
            push::ApnsCredentials{std::move(key), c.apns_key_id, c.apns_team_id, c.apns_topic}, c.apns_endpoint);
    }
    push::PushOptions options;
    options.coalesce_ms = c.coalesce_ms;
    return std::make_unique<push::PushDispatcher>(stores, std::move(services), ca_bundle, metrics, clock, options);
}

}  // namespace flow::app
