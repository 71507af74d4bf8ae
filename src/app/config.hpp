#pragma once

#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/otp.hpp"
#include "limits/rate_limiter.hpp"

namespace CLI {
class App;
}

namespace flow::app {

// The push services flowd sends through; an empty one is not used.
struct PushConfig {
    std::string vapid_private_key;  // a PEM file; empty: <data_dir>/vapid_private_key.pem, made on first start
    std::string vapid_subject = "mailto:push@flow.invalid";
    std::string fcm_credentials;    // a service account's JSON key file
    std::string fcm_endpoint = "https://fcm.googleapis.com";
    std::string apns_key;           // a .p8 file
    std::string apns_key_id, apns_team_id, apns_topic;
    std::string apns_endpoint = "https://api.push.apple.com";
    std::string ca_file;            // extra CA certificates to trust for push services
    long long coalesce_ms = 2000;   // a chat's messages within this of its first make one push
};

// Everything flowd is told at start, from flags or their FLOW_* variables.
struct Config {
    std::string host = "0.0.0.0";
    unsigned short port = 8000;
    std::string data_dir = "./data";
    std::string db;              // empty: <data_dir>/flow.db
    std::string media;           // empty: <data_dir>/media; or s3://bucket
    std::vector<std::string> trusted_proxies;  // load balancers whose X-Forwarded-For is believed
    std::vector<std::string> cors_origins;     // web apps of other origins that may call; "*" for any
    std::string redis;           // empty: one node, in-process fan-out; or redis://host:port
    std::string s3_endpoint, s3_access_key, s3_secret_key, s3_region = "us-east-1";
    std::uint64_t max_upload_bytes = 64 * 1024 * 1024;
    std::uint64_t max_unused_uploads = 100;                      // per user: uploads nothing uses yet
    std::uint64_t max_unused_upload_bytes = 1024 * 1024 * 1024;  // the same, in bytes
    int thumbnail_threads = 1;   // each runs one decoder process at a time; 0: none made
    std::string ffmpeg = "ffmpeg";  // for video posters: a path or a name on PATH; "": none
    std::string sms = "log";     // "log" or "webhook:URL"
    std::string secret;          // empty: <data_dir>/secret.key, made on first start
    std::string log_level = "info";
    std::string log_format = "text";  // or "json": one object a line
    int io_threads = 0;          // 0: one per core
    int blocking_threads = 8;
    OtpPolicy otp;
    long long delete_for_everyone_s = 172800;
    long long edit_window_s = 900;
    long long story_ttl_s = 86400;
    int story_sweep_s = 60;
    int disappearing_sweep_ms = 1000;        // how often expired messages are erased
    long long disappearing_override_ms = 0;  // for tests: above 0, the lifetime of disappearing messages
    long long call_ring_s = 45;
    long long call_grace_s = 30;     // an ongoing call ends when a participant has no socket this long
    long long call_max_s = 14400;    // and in any case this long after it was answered
    std::string turn_secret;
    std::vector<std::string> turn_urls;
    std::size_t max_outbound_bytes = 8 * 1024 * 1024;
    RateLimits limits;
    std::size_t max_sockets_per_device = 16;  // /ws and Socket.IO sockets of one token, per node
    std::size_t max_connections = 0;              // 0: from the descriptor limit (see server_main)
    std::size_t max_connections_per_address = 1000;
    int io_timeout_s = 30;                        // the longest a request or an answer may stall
    PushConfig push;
};

// Parses argv and the environment. Prints help or the problem and returns the exit code
// when flowd should not start; otherwise the Config.
struct ParsedConfig {
    std::optional<Config> config;
    int exit_code = 0;
};
ParsedConfig parse_config(int argc, char** argv);

// The settings of the stores (--data-dir, --db, --redis, --media and the S3 ones), as
// flowd and flowctl both take them: added to `cli`, parsed into `config`.
void add_store_options(CLI::App& cli, Config& config);
// After parsing: fills in what MinIO's own variables give, and checks the stores'
// settings go together; false, the problem printed, when they do not (exit 2).
bool check_store_options(Config& config);

}  // namespace flow::app
