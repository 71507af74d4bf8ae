#pragma once

#include <optional>
#include <string>

#include "bus/device_registry.hpp"
#include "bus/event_bus.hpp"
#include "service/auth_service.hpp"
#include "common/clock.hpp"
#include "service/privacy_service.hpp"
#include "storage/chat_store.hpp"
#include "storage/user_store.hpp"

namespace flow {

// Tells a user's contacts (domain/chat.hpp: a direct chat both took part in) when the user comes online
// (first device connects, on any node) and goes offline (last device leaves, on every
// node), with last seen; nobody when their last seen is hidden from contacts
// (shares_presence in domain/privacy.hpp). Told of the first device on this node and the
// last leaving it. Blocking (storage): call it on the blocking pool. Thread-safe.
class PresenceService {
public:
    PresenceService(ChatStore& chats, UserStore& users, PrivacyService& privacy, DeviceRegistry& devices,
                    EventBus& bus, const Clock& clock)
        : chats_(chats), users_(users), privacy_(privacy), devices_(devices), bus_(bus), clock_(clock) {}

    // A device's first socket on this node opened; `first_of_user` when the user had none
    // here before.
    void connected(const Caller& device, bool first_of_user);
    // A device's last socket on this node closed; `last_of_user` when the user has none
    // here now.
    void disconnected(const Caller& device, bool last_of_user);
    // Since when `user_id` has had no device connected on any node: nullopt while one is,
    // else their last seen (0 if never seen).
    std::optional<TimeMs> offline_since(const std::string& user_id);
    // The user's privacy settings changed. While they are online, contacts who were told
    // so hear that they are offline (with no last seen) once presence is hidden from them,
    // and that they are online once it is shown again.
    void privacy_changed(const std::string& user_id, const PrivacyUpdate& update);

private:
    void online(const std::string& user_id);
    void offline(const std::string& user_id);

    ChatStore& chats_;
    UserStore& users_;
    PrivacyService& privacy_;
    DeviceRegistry& devices_;
    EventBus& bus_;
    const Clock& clock_;
};

}  // namespace flow
