#pragma once

#include <memory>

#include "app/config.hpp"
#include "common/clock.hpp"
#include "ctl/relay_bus.hpp"
#include "media/media_store.hpp"
#include "service/account_service.hpp"
#include "service/admin_service.hpp"
#include "service/chat_service.hpp"
#include "service/device_service.hpp"
#include "service/media_service.hpp"
#include "service/privacy_service.hpp"
#include "storage/storage.hpp"

namespace flow::ctl {

// What flowctl works with: the stores flowd's settings name, and the use cases over them
// that an operator's change needs (those an account's deletion goes through included), on
// a bus that relays to the flowd nodes. Built once per run; single-threaded.
class AdminTool {
public:
    // Opens the stores; throws std::runtime_error when they cannot be (an SQLite file that
    // does not exist is refused rather than made).
    explicit AdminTool(const app::Config& config);

    AdminService& admin() { return *admin_; }
    // Hands what the command published to the nodes (RelayBus::relay).
    void relay() { bus_.relay(config_.redis, config_.data_dir); }

private:
    app::Config config_;
    SystemClock clock_;
    RelayBus bus_;
    std::unique_ptr<Storage> storage_;
    std::unique_ptr<MediaStore> media_store_;
    std::unique_ptr<MediaService> media_;
    std::unique_ptr<PrivacyService> privacy_;
    std::unique_ptr<ChatService> chats_;
    std::unique_ptr<DeviceService> devices_;
    std::unique_ptr<AccountService> accounts_;
    std::unique_ptr<AdminService> admin_;
};

}  // namespace flow::ctl
