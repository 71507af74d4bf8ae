#include "service/presence_service.hpp"

namespace flow {

void PresenceService::connected(const Caller& device, bool first_of_user) {
    devices_.device_opened(device.session_id);
    if (first_of_user) online(device.user_id);
}

void PresenceService::disconnected(const Caller& device, bool last_of_user) {
    devices_.device_closed(device.session_id);
    if (last_of_user) offline(device.user_id);
}

void PresenceService::online(const std::string& user_id) {
    if (!devices_.arrived(user_id) || !shares_presence(privacy_.get(user_id))) return;
    const auto user = users_.find(user_id);
    bus_.publish({chats_.contacts_of(user_id), "",
                  event::Presence{user_id, true, user ? user->last_seen_at : std::nullopt}});
}

void PresenceService::offline(const std::string& user_id) {
    if (!devices_.left(user_id)) return;
    const TimeMs now = clock_.now_ms();
    users_.touch_last_seen(user_id, now);
    if (!shares_presence(privacy_.get(user_id))) return;
    bus_.publish({chats_.contacts_of(user_id), "", event::Presence{user_id, false, now}});
}

void PresenceService::privacy_changed(const std::string& user_id, const PrivacyUpdate& update) {
    const bool shown = shares_presence(update.after);
    if (shown == shares_presence(update.before) || !devices_.connected(user_id)) return;
    std::optional<TimeMs> last_seen;
    if (shown)
        if (const auto user = users_.find(user_id)) last_seen = user->last_seen_at;
    bus_.publish({chats_.contacts_of(user_id), "", event::Presence{user_id, shown, last_seen}, ""});
}

std::optional<TimeMs> PresenceService::offline_since(const std::string& user_id) {
    if (devices_.connected(user_id)) return std::nullopt;
    const auto user = users_.find(user_id);
    return user && user->last_seen_at ? *user->last_seen_at : TimeMs{0};
}

}  // namespace flow
