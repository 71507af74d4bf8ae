#include "app/services.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app/config.hpp"
#include "app/push_setup.hpp"
#include "app/stores.hpp"
#include "http/routes/auth_routes.hpp"
#include "http/routes/block_routes.hpp"
#include "http/routes/call_routes.hpp"
#include "http/routes/chat_routes.hpp"
#include "http/routes/device_routes.hpp"
#include "http/routes/media_routes.hpp"
#include "http/routes/ops_routes.hpp"
#include "http/routes/privacy_routes.hpp"
#include "http/routes/report_routes.hpp"
#include "http/routes/search_routes.hpp"
#include "http/routes/story_routes.hpp"
#include "http/routes/user_routes.hpp"
#include "bus/redis/redis_claims.hpp"
#include "bus/redis/redis_device_registry.hpp"
#include "bus/redis/redis_node_link.hpp"
#include "common/ids.hpp"
#include "limits/local/local_rate_limiter.hpp"
#include "limits/redis/redis_rate_limiter.hpp"
#include "media/thumbnail/process_thumbnail_maker.hpp"
#include "push/crypto/base64url.hpp"
#include "realtime/fanout.hpp"
#include "sms/log/log_sms_sender.hpp"
#include "sms/queued_sms_sender.hpp"
#include "sms/webhook/webhook_sms_sender.hpp"

namespace flow::app {

namespace fs = std::filesystem;

namespace {

// Writes a key made on first start into the data dir, readable by the owner alone.
void write_new_key(const fs::path& path, const std::string& text, std::string_view what) {
    const auto old_mask = ::umask(077);
    std::ofstream out(path);
    out << text;
    out.close();
    const int error = errno;
    ::umask(old_mask);
    if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(error));
    spdlog::info("made a new {} in {}", what, path.string());
}

// Makes the data dir if need be, and checks that files can be written in it, so that a
// dir that cannot be is named as the cause rather than what fails later.
void prepare_data_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot make the data dir " + dir.string() + ": " + ec.message());
    const auto probe = dir / ".flowd-write-check";
    std::ofstream out(probe);
    out << "ok";
    out.close();
    const int error = errno;
    fs::remove(probe, ec);
    if (!out) throw std::runtime_error("cannot write in the data dir " + dir.string() + ": " + std::strerror(error));
}

// The hashing key: from the config, or from the data dir's secret.key, made on first start.
std::string load_secret(const Config& config) {
    if (!config.secret.empty()) return config.secret;
    const fs::path path = fs::path(config.data_dir) / "secret.key";
    if (!fs::exists(path)) {
        unsigned char bytes[32];
        randombytes_buf(bytes, sizeof bytes);
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
        write_new_key(path, std::string(hex) + "\n", "secret key");
    }
    std::string key;
    std::ifstream(path) >> key;
    if (key.size() < 16) throw std::runtime_error(path.string() + " holds no usable key");
    return key;
}

// Refuses a secret key other than the one the database's other nodes use (as the
// fingerprint stored on first start says), as each node would refuse the others' tokens.
void check_secret_matches(Storage& storage, const Secrets& secrets) {
    char hex[65];
    const auto digest = secrets.hash("flow: the fingerprint of the secret key");
    sodium_bin2hex(hex, sizeof hex, reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    if (storage.secret_fingerprint(hex) != hex)
        throw std::runtime_error(
            "the secret key (--secret / FLOW_SECRET, or secret.key in the data dir) is not the one this database "
            "was first used with: every node of a service needs the same key, and tokens made under another "
            "would not be known");
}

// The VAPID key for Web Push: the --vapid-private-key file, else vapid_private_key.pem in
// the data dir, made on first start. Throws std::runtime_error for one that is no P-256 key.
push::SigningKey load_vapid_key(const Config& config) {
    std::string path = config.push.vapid_private_key;
    if (path.empty()) {
        path = (fs::path(config.data_dir) / "vapid_private_key.pem").string();
        if (!fs::exists(path)) write_new_key(path, push::SigningKey::generate_p256().to_pem(), "VAPID key for Web Push");
    }
    auto key = signing_key_from(path);
    if (!key.is_p256()) throw std::runtime_error(path + ": a VAPID key is a P-256 key");
    return key;
}

// Threads that wait on the SMS provider, and how many codes may wait for them: with a
// provider taking 3 s, four threads send 80 codes a minute.
constexpr std::size_t kSmsThreads = 4;
constexpr std::size_t kSmsQueue = 1000;

std::unique_ptr<QueuedSmsSender> make_sms(const std::string& spec) {
    std::unique_ptr<SmsSender> provider;
    if (spec.starts_with("webhook:"))
        provider = std::make_unique<WebhookSmsSender>(spec.substr(8));
    else
        provider = std::make_unique<LogSmsSender>();
    return std::make_unique<QueuedSmsSender>(std::move(provider), kSmsThreads, kSmsQueue);
}

// How many thumbnails may wait for a thread; past that, one is made when first asked for.
constexpr std::size_t kThumbnailQueue = 1000;

// Thumbnails are made in child processes: flowd itself for images, ffmpeg for videos.
std::unique_ptr<ThumbnailMaker> make_thumbnail_maker(const Config& config) {
    if (config.thumbnail_threads == 0) {
        spdlog::info("thumbnails: off (--thumbnail-threads 0)");
        return nullptr;
    }
    const auto ffmpeg = find_executable(config.ffmpeg);
    if (ffmpeg.empty() && !config.ffmpeg.empty())
        spdlog::warn("thumbnails: ffmpeg ({}) not found: videos get no posters", config.ffmpeg);
    spdlog::info("thumbnails: {} thread(s); images with libvips, videos {}", config.thumbnail_threads,
                 ffmpeg.empty() ? "not" : "with " + ffmpeg);
    return std::make_unique<ProcessThumbnailMaker>("/proc/self/exe", ffmpeg, fs::temp_directory_path());
}

// On a node on its own, flowctl hands its deliveries to the hub through a socket in the
// data dir (with Redis it publishes them there, as nodes do). flowd runs without it when
// it cannot be made, saying that flowctl's changes will not reach live sockets.
std::unique_ptr<EnvelopeSocketListener> listen_for_flowctl(const Config& config, realtime::Fanout& fanout) {
    try {
        return std::make_unique<EnvelopeSocketListener>(
            (fs::path(config.data_dir) / kEnvelopeSocketName).string(),
            [&fanout](std::string_view envelope) { fanout.receive(envelope); });
    } catch (const std::exception& e) {
        spdlog::warn("{}: what flowctl changes will reach sockets only when they reconnect", e.what());
        return nullptr;
    }
}

}  // namespace

Services::Services(const Config& config) {
    prepare_data_dir(config.data_dir);
    secrets_ = std::make_unique<Secrets>(load_secret(config));
    // One database connection per blocking thread: only they run storage calls.
    storage_ = open_storage(config, static_cast<std::size_t>(config.blocking_threads));
    check_secret_matches(*storage_, *secrets_);
    sms_ = make_sms(config.sms);
    if (config.redis.empty()) {
        connected_ = std::make_unique<LocalDeviceRegistry>();
        claims_ = std::make_unique<LocalClaims>();
        limits_ = std::make_unique<LocalRateLimiter>(config.limits, clock_);
        auto fanout = std::make_unique<realtime::Fanout>(hub_, nullptr);
        ctl_socket_ = listen_for_flowctl(config, *fanout);
        bus_ = std::move(fanout);
    } else {
        const auto redis = parse_redis_url(config.redis);
        const auto node_id = new_id(clock_.now_ms());
        connected_ = std::make_unique<RedisDeviceRegistry>(redis, node_id);
        claims_ = std::make_unique<RedisClaims>(redis);
        limits_ = std::make_unique<RedisRateLimiter>(redis, config.limits, clock_);
        link_ = std::make_unique<RedisNodeLink>(redis, node_id);
        bus_ = std::make_unique<realtime::Fanout>(hub_, link_.get());
    }
    const auto vapid_key = load_vapid_key(config);
    vapid_public_key_ = push::base64url_encode(vapid_key.public_key_uncompressed());
    push_ = make_push(config, vapid_key, {storage_->devices(), storage_->chats(), storage_->users(), *connected_, *claims_},
                      metrics_, clock_);
    auth_ = std::make_unique<AuthService>(storage_->sign_in(), *sms_, *bus_, *secrets_, clock_, config.otp);
    media_store_ = open_media_store(config);
    thumbnail_maker_ = make_thumbnail_maker(config);
    thumbnails_ = std::make_unique<ThumbnailService>(storage_->media(), *media_store_, thumbnail_maker_.get(), clock_,
                                                     static_cast<std::size_t>(config.thumbnail_threads), kThumbnailQueue);
    media_ = std::make_unique<MediaService>(
        storage_->media(), *media_store_, clock_, config.max_upload_bytes,
        UploadQuota{config.max_unused_uploads, config.max_unused_upload_bytes, StorySweeper::kUnusedUploadGraceMs},
        thumbnails_.get());
    devices_ = std::make_unique<DeviceService>(storage_->devices(), *bus_, clock_);
    privacy_ = std::make_unique<PrivacyService>(storage_->privacy(), storage_->chats(), storage_->blocks());
    blocks_ = std::make_unique<BlockService>(storage_->blocks(), storage_->users(), *privacy_, clock_);
    reports_ = std::make_unique<ReportService>(storage_->reports(), storage_->users(), *limits_, metrics_, clock_);
    users_ = std::make_unique<UserService>(storage_->users(), *privacy_, *media_, *limits_);
    chats_ = std::make_unique<ChatService>(storage_->chats(), storage_->users(), *media_, *bus_, clock_, *privacy_);
    accounts_ = std::make_unique<AccountService>(storage_->users(), storage_->devices(), storage_->stories(), *chats_,
                                                 *media_, *bus_);
    const MessageService::Windows windows{config.delete_for_everyone_s * 1000, config.edit_window_s * 1000,
                                          config.disappearing_override_ms};
    messages_ = std::make_unique<MessageService>(storage_->chats(), *chats_, *media_, *bus_, *push_, clock_,
                                                 windows, *limits_, *privacy_);
    search_ = std::make_unique<SearchService>(storage_->chats());
    presence_ = std::make_unique<PresenceService>(storage_->chats(), storage_->users(), *privacy_, *connected_, *bus_,
                                                  clock_);
    privacy_->on_change([this](const std::string& user_id, const PrivacyUpdate& update) {
        presence_->privacy_changed(user_id, update);
    });
    stories_ = std::make_unique<StoryService>(storage_->stories(), storage_->chats(), storage_->users(), *privacy_,
                                              *media_, *bus_, clock_, config.story_ttl_s * 1000);
    sweeper_ = std::make_unique<StorySweeper>(storage_->stories(), storage_->media(), *media_store_, clock_);
    expiry_sweeper_ = std::make_unique<MessageExpirySweeper>(storage_->chats(), storage_->media(), *media_store_,
                                                             *bus_, clock_);
    calls_ = std::make_unique<CallService>(
        storage_->calls(), *chats_, *presence_, *bus_, *push_, clock_,
        CallTimes{config.call_ring_s * 1000, config.call_grace_s * 1000, config.call_max_s * 1000}, *limits_);
    gateway_ = std::make_unique<realtime::Gateway>(*messages_, *calls_);
    ice_servers_ = std::make_unique<IceServerDirectory>(config.turn_urls, config.turn_secret, clock_);
}

// The SMS threads may still call back into the sign-in store: they go first.
Services::~Services() { stop_sms(std::chrono::steady_clock::now()); }

void Services::stop_sms(std::chrono::steady_clock::time_point deadline) { sms_->stop(deadline); }

void Services::sweep() {
    const auto result = sweeper_->run();
    if (result.media_removed > 0) spdlog::info("sweep: removed {} unused media", result.media_removed);
    for (const auto& id : result.bytes_left_behind)
        spdlog::warn("sweep: the media store kept the bytes of removed media {}", id);
}

void Services::sweep_expired_messages() {
    const auto result = expiry_sweeper_->run();
    if (result.messages_erased > 0)
        spdlog::info("sweep: {} disappearing messages erased, {} media removed", result.messages_erased,
                     result.media_removed);
    for (const auto& id : result.bytes_left_behind)
        spdlog::warn("sweep: the media store kept the bytes of removed media {}", id);
}

std::unique_ptr<http::Router> Services::make_router() {
    auto router = std::make_unique<http::Router>(
        [this](const std::string& token) { return auth_->authenticate(token); });
    http::add_auth_routes(*router, *auth_, *users_);
    // Before the user routes: /users/blocked is not a user id.
    http::add_block_routes(*router, *blocks_);
    http::add_user_routes(*router, *users_, *accounts_);
    http::add_privacy_routes(*router, *privacy_);
    http::add_report_routes(*router, *reports_);
    http::add_chat_routes(*router, *chats_, *messages_);
    http::add_search_routes(*router, *search_);
    http::add_story_routes(*router, *stories_);
    http::add_media_routes(*router, *media_);
    http::add_device_routes(*router, *devices_, vapid_public_key_);
    http::add_call_routes(*router, *calls_, *ice_servers_);
    http::add_ops_routes(*router, [this] { return health(); }, metrics_);
    return router;
}

boost::json::object Services::health() {
    return {{"storage", storage_->ping() ? "ok" : "down"},
            {"media", media_store_->ping() ? "ok" : "down"},
            {"bus", bus_->healthy() ? "ok" : "down"}};
}

}  // namespace flow::app
