#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>

#include "app/setting_files.hpp"
#include "common/build_info.hpp"
#include "http/client_address.hpp"

namespace flow::app {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// --test-numbers' entries, PHONE=CODE, into `numbers`; false (and the entry) for a bad one.
// Any E.164 number is taken, as test numbers are often fictional ones no country uses.
bool parse_test_numbers(const std::vector<std::string>& entries, std::map<std::string, std::string>& numbers,
                        std::string& bad) {
    for (const auto& entry : entries) {
        const auto equals = entry.find('=');
        const auto phone = entry.substr(0, equals);
        const auto code = equals == std::string::npos ? std::string() : entry.substr(equals + 1);
        if (!phone.starts_with('+') || phone.size() < 8 || phone.size() > 16 || !all_digits(phone.substr(1)) ||
            code.size() != 6 || !all_digits(code)) {
            bad = entry;
            return false;
        }
        numbers[phone] = code;
    }
    return true;
}

}  // namespace

ParsedConfig parse_config(int argc, char** argv) {
    Config c;
    CLI::App cli{"flowd: the Flow messaging server. Every flag can also be given as the "
                 "environment variable named beside it."};
    cli.get_formatter()->column_width(44);
    const auto& build = build_info();
    cli.set_version_flag("--version", fmt::format("flowd {} ({}, {})", build.version, build.commit, build.build_type));

    cli.add_option("--host", c.host, "address to listen on")->envname("FLOW_HOST")->capture_default_str();
    cli.add_option("--port", c.port, "port to listen on")->envname("FLOW_PORT")->capture_default_str();
    add_store_options(cli, c);
    cli.add_option("--trusted-proxies", c.trusted_proxies,
                   "addresses of load balancers whose X-Forwarded-For names the client (comma-separated)")
        ->envname("FLOW_TRUSTED_PROXIES")->delimiter(',');
    cli.add_option("--max-upload-bytes", c.max_upload_bytes, "the largest media upload")
        ->envname("FLOW_MAX_UPLOAD_BYTES")->capture_default_str()->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    cli.add_option("--max-unused-uploads", c.max_unused_uploads,
                   "uploads a user may have that no message, story or profile uses yet (0: no cap)")
        ->envname("FLOW_MAX_UNUSED_UPLOADS")->capture_default_str()->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 32));
    cli.add_option("--max-unused-upload-bytes", c.max_unused_upload_bytes,
                   "the bytes of those uploads a user may have (0: no cap)")
        ->envname("FLOW_MAX_UNUSED_UPLOAD_BYTES")->capture_default_str()->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 50));
    cli.add_option("--thumbnail-threads", c.thumbnail_threads,
                   "threads making thumbnails of images and videos, each running one decoder process at a time "
                   "(0: none made)")
        ->envname("FLOW_THUMBNAIL_THREADS")->capture_default_str()->check(CLI::Range(0, 64));
    cli.add_option("--ffmpeg", c.ffmpeg,
                   "ffmpeg, for the posters of videos: a path or a name on PATH (empty or not found: no posters)")
        ->envname("FLOW_FFMPEG")->capture_default_str();
    cli.add_option("--turn-secret", c.turn_secret, "coturn's static-auth-secret, for TURN credentials")
        ->envname("FLOW_TURN_SECRET");
    cli.add_option("--turn-urls", c.turn_urls, "STUN/TURN URLs for calls, comma-separated")
        ->envname("FLOW_TURN_URLS")->delimiter(',');
    cli.add_option("--vapid-private-key", c.push.vapid_private_key,
                   "Web Push: the VAPID key, a P-256 private key in a PEM file; nodes of one service share it "
                   "(default: vapid_private_key.pem in the data dir, made on first start)")
        ->envname("FLOW_VAPID_PRIVATE_KEY");
    cli.add_option("--vapid-subject", c.push.vapid_subject,
                   "Web Push: a mailto: or https: URL at which push services can reach the operator")
        ->envname("FLOW_VAPID_SUBJECT")->capture_default_str();
    cli.add_option("--fcm-credentials", c.push.fcm_credentials,
                   "FCM: a service account's JSON key file (Firebase console, Project settings, Service accounts)")
        ->envname("FLOW_FCM_CREDENTIALS");
    cli.add_option("--fcm-endpoint", c.push.fcm_endpoint, "FCM: the HTTP v1 API's base URL")
        ->envname("FLOW_FCM_ENDPOINT")->capture_default_str();
    cli.add_option("--apns-key", c.push.apns_key, "APNs: the .p8 authentication key file")->envname("FLOW_APNS_KEY");
    cli.add_option("--apns-key-id", c.push.apns_key_id, "APNs: the key's 10-character id")->envname("FLOW_APNS_KEY_ID");
    cli.add_option("--apns-team-id", c.push.apns_team_id, "APNs: the developer team's id")->envname("FLOW_APNS_TEAM_ID");
    cli.add_option("--apns-topic", c.push.apns_topic, "APNs: the app's bundle id")->envname("FLOW_APNS_TOPIC");
    cli.add_option("--apns-endpoint", c.push.apns_endpoint,
                   "APNs: the server (https://api.sandbox.push.apple.com for development builds)")
        ->envname("FLOW_APNS_ENDPOINT")->capture_default_str();
    cli.add_option("--push-ca-file", c.push.ca_file,
                   "extra CA certificates (PEM) to trust for push services, besides the system's")
        ->envname("FLOW_PUSH_CA_FILE");
    cli.add_option("--push-coalesce-ms", c.push.coalesce_ms,
                   "a chat's messages within this many ms of the first make one push")
        ->envname("FLOW_PUSH_COALESCE_MS")->capture_default_str()->check(CLI::Range(0LL, 600'000LL));
    cli.add_option("--cors-origins", c.cors_origins,
                   "origins (https://app.example.com) whose web apps may call Flow from a browser, "
                   "comma-separated, or * for any (default: none)")
        ->envname("FLOW_CORS_ORIGINS")->delimiter(',');
    cli.add_option("--sms", c.sms, "SMS provider: log, or webhook:URL")->envname("FLOW_SMS")->capture_default_str();
    cli.add_option("--secret", c.secret,
                   "key for hashing tokens and codes, 16+ bytes; nodes of one service share it "
                   "(default: secret.key in the data dir, made on first start)")
        ->envname("FLOW_SECRET");
    cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
        ->envname("FLOW_LOG_LEVEL")->capture_default_str()
        ->transform(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}, CLI::ignore_case));
    cli.add_option("--log-format", c.log_format, "text, or json: one object a line (time, level, msg and fields)")
        ->envname("FLOW_LOG_FORMAT")->capture_default_str()
        ->transform(CLI::IsMember({"text", "json"}, CLI::ignore_case));
    std::vector<std::string> test_numbers;
    cli.add_option("--test-numbers", test_numbers,
                   "phone numbers that sign in with a fixed code, never sent, for app store review and CI: "
                   "+15550100000=123456,... (default: none)")
        ->envname("FLOW_TEST_NUMBERS")->delimiter(',');
    cli.add_option("--io-threads", c.io_threads, "network threads (0: one per core less one, at least one)")
        ->envname("FLOW_IO_THREADS")->capture_default_str()->check(CLI::Range(0, 256));
    cli.add_option("--blocking-threads", c.blocking_threads, "threads for database and SMS calls")
        ->envname("FLOW_BLOCKING_THREADS")->capture_default_str()->check(CLI::Range(1, 256));
    cli.add_option("--otp-ttl-seconds", c.otp.ttl_s, "how long a sign-in code is valid")
        ->envname("FLOW_OTP_TTL_SECONDS")->capture_default_str()->check(CLI::Range(1, 86400));
    cli.add_option("--otp-resend-seconds", c.otp.resend_s, "least time between two codes to one phone")
        ->envname("FLOW_OTP_RESEND_SECONDS")->capture_default_str()->check(CLI::Range(0, 86400));
    cli.add_option("--otp-phone-hourly-cap", c.otp.phone_hourly_cap, "codes per phone per hour")
        ->envname("FLOW_OTP_PHONE_HOURLY_CAP")->capture_default_str()->check(CLI::Range(1, 1'000'000));
    cli.add_option("--otp-address-hourly-cap", c.otp.address_hourly_cap,
                   "codes per client address per hour; 0 for none")
        ->envname("FLOW_OTP_ADDRESS_HOURLY_CAP")->capture_default_str()->check(CLI::Range(0, 1'000'000));

    cli.add_option("--delete-for-everyone-seconds", c.delete_for_everyone_s,
                   "how long a sender may delete a message for everyone")
        ->envname("FLOW_DELETE_FOR_EVERYONE_SECONDS")->capture_default_str()->check(CLI::Range(0LL, 100LL * 365 * 86400));
    cli.add_option("--edit-window-seconds", c.edit_window_s, "how long a sender may edit a message")
        ->envname("FLOW_EDIT_WINDOW_SECONDS")->capture_default_str()->check(CLI::Range(0LL, 100LL * 365 * 86400));
    cli.add_option("--story-ttl-seconds", c.story_ttl_s, "how long a story lives")
        ->envname("FLOW_STORY_TTL_SECONDS")->capture_default_str()->check(CLI::Range(1LL, 365LL * 86400));
    cli.add_option("--story-sweep-seconds", c.story_sweep_s,
                   "how often expired stories and unused media are deleted")
        ->envname("FLOW_STORY_SWEEP_SECONDS")->capture_default_str()->check(CLI::Range(1, 86400));
    cli.add_option("--disappearing-sweep-ms", c.disappearing_sweep_ms,
                   "how often messages whose disappearing time has passed are erased, with their media")
        ->envname("FLOW_DISAPPEARING_SWEEP_MS")->capture_default_str()->check(CLI::Range(10, 86'400'000));
    cli.add_option("--disappearing-override-ms", c.disappearing_override_ms,
                   "for tests: above 0, how long messages of chats with disappearing messages live, "
                   "whatever their period")
        ->envname("FLOW_DISAPPEARING_OVERRIDE_MS")->capture_default_str()->check(CLI::Range(0LL, 7776000LL * 1000));
    cli.add_option("--call-ring-seconds", c.call_ring_s, "how long a call rings before it is missed")
        ->envname("FLOW_CALL_RING_SECONDS")->capture_default_str()->check(CLI::Range(1LL, 3600LL));
    cli.add_option("--call-grace-seconds", c.call_grace_s,
                   "an ongoing call ends when a participant has had no socket on any device this long")
        ->envname("FLOW_CALL_GRACE_SECONDS")->capture_default_str()->check(CLI::Range(1LL, 86400LL));
    cli.add_option("--call-max-seconds", c.call_max_s, "an ongoing call ends this long after it was answered")
        ->envname("FLOW_CALL_MAX_SECONDS")->capture_default_str()->check(CLI::Range(1LL, 7LL * 86400));
    cli.add_option("--max-sockets-per-device", c.max_sockets_per_device,
                   "/ws and Socket.IO sockets one device (token) may have open on a node; more are refused")
        ->envname("FLOW_MAX_SOCKETS_PER_DEVICE")->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    cli.add_option("--max-outbound-bytes", c.max_outbound_bytes,
                   "a socket's queue of unsent events; past it the socket is closed")
        ->envname("FLOW_MAX_OUTBOUND_BYTES")->capture_default_str()->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32));
    cli.add_option("--user-send-rate", c.limits.send_rate,
                   "messages a user may send per second, sustained (0: no limit)")
        ->envname("FLOW_USER_SEND_RATE")->capture_default_str()->check(CLI::Range(0.0, 1e6));
    cli.add_option("--user-send-burst", c.limits.send_burst, "messages a user may send at once after a pause")
        ->envname("FLOW_USER_SEND_BURST")->capture_default_str()->check(CLI::Range(1.0, 1e6));
    cli.add_option("--user-typing-rate", c.limits.typing_rate,
                   "typing events a user may send per second; more are dropped (0: no limit)")
        ->envname("FLOW_USER_TYPING_RATE")->capture_default_str()->check(CLI::Range(0.0, 1e6));
    cli.add_option("--user-signal-rate", c.limits.signal_rate,
                   "call signals a user may send per second (0: no limit)")
        ->envname("FLOW_USER_SIGNAL_RATE")->capture_default_str()->check(CLI::Range(0.0, 1e6));
    cli.add_option("--user-report-hourly", c.limits.report_hourly,
                   "reports of other users a user may file per hour (0: no limit)")
        ->envname("FLOW_USER_REPORT_HOURLY")->capture_default_str()->check(CLI::Range(0.0, 1e6));
    cli.add_option("--lookup-daily-cap", c.limits.lookup_daily_cap,
                   "distinct phone numbers a user may look up per UTC day (0: no limit)")
        ->envname("FLOW_LOOKUP_DAILY_CAP")->capture_default_str()->check(CLI::Range(0LL, 1'000'000'000LL));
    cli.add_option("--max-connections", c.max_connections,
                   "open client connections in all; more are closed at once (0: the descriptor limit less a margin)")
        ->envname("FLOW_MAX_CONNECTIONS")->capture_default_str()->check(CLI::Range(std::size_t{0}, std::size_t{100'000'000}));
    cli.add_option("--max-connections-per-address", c.max_connections_per_address,
                   "open connections from one client address (trusted proxies are exempt)")
        ->envname("FLOW_MAX_CONNECTIONS_PER_ADDRESS")->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
    cli.add_option("--io-timeout-seconds", c.io_timeout_s,
                   "the longest a request being read or an answer being written may stall")
        ->envname("FLOW_IO_TIMEOUT_SECONDS")->capture_default_str()->check(CLI::Range(1, 3600));

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; a bad setting 2, as for the checks below.
        return {std::nullopt, cli.exit(e) == 0 ? 0 : 2};
    }
    if (const auto problem = apply_setting_files(cli); !problem.empty()) {
        std::fprintf(stderr, "%s\n", problem.c_str());
        return {std::nullopt, 2};
    }
    std::string bad_test_number;
    if (!parse_test_numbers(test_numbers, c.otp.test_numbers, bad_test_number)) {
        std::fprintf(stderr, "--test-numbers: \"%s\" is not a phone number, = and a 6-digit code "
                             "(such as +15550100000=123456)\n", bad_test_number.c_str());
        return {std::nullopt, 2};
    }
    if (!check_store_options(c)) return {std::nullopt, 2};
    std::string bad_proxy;
    if (!http::TrustedProxies::parse(c.trusted_proxies, &bad_proxy)) {
        std::fprintf(stderr, "--trusted-proxies: \"%s\" is no IP address or network (such as 10.0.0.5 or 172.16.0.0/12)\n",
                     bad_proxy.c_str());
        return {std::nullopt, 2};
    }
    if (c.sms != "log" && !c.sms.starts_with("webhook:http")) {
        std::fprintf(stderr, "--sms must be log or webhook:URL (got %s)\n", c.sms.c_str());
        return {std::nullopt, 2};
    }
    return {c, 0};
}

void add_store_options(CLI::App& cli, Config& c) {
    cli.add_option("--data-dir", c.data_dir, "folder for the database, media and the secret key")
        ->envname("FLOW_DATA_DIR")->capture_default_str();
    cli.add_option("--db", c.db,
                   "SQLite file (default: flow.db in the data dir; a relative path is relative to the working "
                   "directory), or a postgresql:// URL")
        ->envname("FLOW_DB");
    cli.add_option("--redis", c.redis, "redis:// URL of the Redis that nodes share for fan-out (default: none, one node)")
        ->envname("FLOW_REDIS");
    cli.add_option("--media", c.media, "media folder (default: media in the data dir), or s3://BUCKET")
        ->envname("FLOW_MEDIA");
    cli.add_option("--s3-endpoint", c.s3_endpoint, "S3 endpoint URL, e.g. http://127.0.0.1:9000")
        ->envname("FLOW_S3_ENDPOINT");
    cli.add_option("--s3-access-key", c.s3_access_key, "S3 access key (or MINIO_ACCESS_KEY)")
        ->envname("FLOW_S3_ACCESS_KEY");
    cli.add_option("--s3-secret-key", c.s3_secret_key, "S3 secret key (or MINIO_SECRET_KEY)")
        ->envname("FLOW_S3_SECRET_KEY");
    cli.add_option("--s3-region", c.s3_region, "S3 region")->envname("FLOW_S3_REGION")->capture_default_str();
}

bool check_store_options(Config& c) {
    // MinIO's own variable names are accepted too.
    for (auto [value, name] : {std::pair{&c.s3_access_key, "MINIO_ACCESS_KEY"}, {&c.s3_secret_key, "MINIO_SECRET_KEY"}})
        if (value->empty())
            if (const char* env = std::getenv(name)) *value = env;
    if (c.media.starts_with("s3://") && (c.s3_endpoint.empty() || c.s3_access_key.empty() || c.s3_secret_key.empty())) {
        std::fprintf(stderr, "--media s3://... needs FLOW_S3_ENDPOINT, FLOW_S3_ACCESS_KEY and FLOW_S3_SECRET_KEY\n");
        return false;
    }
    if (const auto scheme = c.db.find("://");
        scheme != std::string::npos && !c.db.starts_with("postgresql://") && !c.db.starts_with("postgres://")) {
        std::fprintf(stderr, "--db must be a SQLite file or a postgresql:// URL (got a %s:// URL)\n",
                     c.db.substr(0, scheme).c_str());
        return false;
    }
    return true;
}

}  // namespace flow::app
