#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>

#include "auth/secrets.hpp"
#include "bus/claims.hpp"
#include "bus/device_registry.hpp"
#include "bus/event_bus.hpp"
#include "bus/node_link.hpp"
#include "bus/unix/envelope_socket.hpp"
#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "http/router.hpp"
#include "limits/rate_limiter.hpp"
#include "service/auth_service.hpp"
#include "service/block_service.hpp"
#include "service/call_service.hpp"
#include "service/account_service.hpp"
#include "service/chat_service.hpp"
#include "service/device_service.hpp"
#include "media/media_store.hpp"
#include "service/ice_servers.hpp"
#include "service/media_service.hpp"
#include "service/message_service.hpp"
#include "service/presence_service.hpp"
#include "service/privacy_service.hpp"
#include "service/report_service.hpp"
#include "service/search_service.hpp"
#include "service/story_service.hpp"
#include "service/story_sweeper.hpp"
#include "service/message_expiry_sweeper.hpp"
#include "service/thumbnail_service.hpp"
#include "push/push_dispatcher.hpp"
#include "realtime/gateway.hpp"
#include "realtime/hub.hpp"
#include "service/user_service.hpp"
#include "sms/queued_sms_sender.hpp"
#include "storage/storage.hpp"

namespace flow::app {

struct Config;

// The implementations chosen for a Config and the use cases over them: the one place
// that names concrete backends. Owns them all; built once at start.
class Services {
public:
    explicit Services(const Config& config);
    ~Services();

    Storage& storage() { return *storage_; }
    AuthService& auth() { return *auth_; }
    UserService& users() { return *users_; }
    ChatService& chats() { return *chats_; }
    MessageService& messages() { return *messages_; }
    PresenceService& presence() { return *presence_; }
    PrivacyService& privacy() { return *privacy_; }
    ReportService& reports() { return *reports_; }
    MediaService& media() { return *media_; }
    StoryService& stories() { return *stories_; }
    CallService& calls() { return *calls_; }
    DeviceService& devices() { return *devices_; }
    // Deletes expired stories and unused media, logging what it did. Blocking.
    void sweep();
    // Erases disappearing messages whose time has passed, with their media. Blocking.
    void sweep_expired_messages();
    realtime::Hub& hub() { return hub_; }
    realtime::Gateway& gateway() { return *gateway_; }
    Metrics& metrics() { return metrics_; }
    // Sends the sign-in codes still queued until `deadline`, drops the rest and stops the
    // SMS threads; before curl is cleaned up. Blocking.
    void stop_sms(std::chrono::steady_clock::time_point deadline);
    // Cancels the thumbnails being made (they are made again when asked for) and joins
    // their threads. Blocking.
    void stop_thumbnails() { thumbnails_->stop(); }
    // Keeps this node counted among the live ones (a few seconds apart). Blocking.
    void heartbeat() { connected_->heartbeat(); }

    // Every route of the API, on a new router.
    std::unique_ptr<http::Router> make_router();
    // Each backend's state, as /health and /ready report it (http::HealthCheck).
    boost::json::object health();

private:
    SystemClock clock_;
    Metrics metrics_;
    realtime::Hub hub_;
    std::unique_ptr<DeviceRegistry> connected_;  // which devices have a socket, on which node
    std::unique_ptr<Claims> claims_;
    std::unique_ptr<EventBus> bus_;
    std::unique_ptr<NodeLink> link_;  // after bus_: destroyed first, as its threads call it
    // On a node on its own, flowctl's way to its hub; destroyed before bus_, as its thread calls it.
    std::unique_ptr<EnvelopeSocketListener> ctl_socket_;
    std::unique_ptr<Secrets> secrets_;
    std::unique_ptr<Storage> storage_;
    std::unique_ptr<QueuedSmsSender> sms_;
    std::unique_ptr<RateLimiter> limits_;
    std::string vapid_public_key_;  // base64url, for browsers' pushManager.subscribe
    std::unique_ptr<push::PushDispatcher> push_;
    std::unique_ptr<MediaStore> media_store_;
    std::unique_ptr<ThumbnailMaker> thumbnail_maker_;
    std::unique_ptr<ThumbnailService> thumbnails_;  // after what it uses: stopped first
    std::unique_ptr<MediaService> media_;
    std::unique_ptr<AuthService> auth_;
    std::unique_ptr<DeviceService> devices_;
    std::unique_ptr<AccountService> accounts_;
    std::unique_ptr<PrivacyService> privacy_;
    std::unique_ptr<ReportService> reports_;
    std::unique_ptr<BlockService> blocks_;
    std::unique_ptr<UserService> users_;
    std::unique_ptr<ChatService> chats_;
    std::unique_ptr<MessageService> messages_;
    std::unique_ptr<SearchService> search_;
    std::unique_ptr<PresenceService> presence_;
    std::unique_ptr<StoryService> stories_;
    std::unique_ptr<StorySweeper> sweeper_;
    std::unique_ptr<MessageExpirySweeper> expiry_sweeper_;
    std::unique_ptr<CallService> calls_;
    std::unique_ptr<realtime::Gateway> gateway_;
    std::unique_ptr<IceServerDirectory> ice_servers_;
};

}  // namespace flow::app
