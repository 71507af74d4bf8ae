#include "app/config.hpp"

#include <CLI/CLI.hpp>

namespace flow::app {

ParsedConfig parse_config(int argc, char** argv) {
    Config c;
    CLI::App cli{"flowd: the Flow messaging server. Every flag can also be given as the "
                 "environment variable named beside it."};
    cli.get_formatter()->column_width(44);

    cli.add_option("--host", c.host, "address to listen on")->envname("FLOW_HOST")->capture_default_str();
    cli.add_option("--port", c.port, "port to listen on")->envname("FLOW_PORT")->capture_default_str();
    cli.add_option("--data-dir", c.data_dir, "folder for the database, media and the secret key")
        ->envname("FLOW_DATA_DIR")->capture_default_str();
    cli.add_option("--db", c.db, "SQLite file (default: flow.db in the data dir)")->envname("FLOW_DB");
    cli.add_option("--sms", c.sms, "SMS provider: log, or webhook:URL")->envname("FLOW_SMS")->capture_default_str();
    cli.add_option("--secret", c.secret,
                   "key for hashing tokens and codes, 16+ bytes; nodes of one service share it "
                   "(default: secret.key in the data dir, made on first start)")
        ->envname("FLOW_SECRET");
    cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
        ->envname("FLOW_LOG_LEVEL")->capture_default_str();
    cli.add_option("--io-threads", c.io_threads, "network threads (0: one per core)")
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
                   "codes per client address per hour")
        ->envname("FLOW_OTP_ADDRESS_HOURLY_CAP")->capture_default_str()->check(CLI::Range(1, 1'000'000));

    cli.add_option("--delete-for-everyone-seconds", c.delete_for_everyone_s,
                   "how long a sender may delete a message for everyone")
        ->envname("FLOW_DELETE_FOR_EVERYONE_SECONDS")->capture_default_str()->check(CLI::Range(0LL, 100LL * 365 * 86400));
    cli.add_option("--max-outbound-bytes", c.max_outbound_bytes,
                   "a socket's queue of unsent events; past it the socket is closed")
        ->envname("FLOW_MAX_OUTBOUND_BYTES")->capture_default_str()->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32));

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return {std::nullopt, cli.exit(e)};
    }
    if (c.sms != "log" && !c.sms.starts_with("webhook:http")) {
        std::fprintf(stderr, "--sms must be log or webhook:URL (got %s)\n", c.sms.c_str());
        return {std::nullopt, 2};
    }
    return {c, 0};
}

}  // namespace flow::app
