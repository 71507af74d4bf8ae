#include "ctl/admin_tool.hpp"

#include <filesystem>
#include <stdexcept>

#include "app/stores.hpp"

namespace flow::ctl {

AdminTool::AdminTool(const app::Config& config) : config_(config) {
    if (const auto file = app::sqlite_path(config); !file.empty() && !std::filesystem::exists(file))
        throw std::runtime_error("no database at " + file +
                                 ": give flowctl the --data-dir (or --db) that flowd uses");
    storage_ = app::open_storage(config, 1);
    media_store_ = app::open_media_store(config);
    // Uploads are not made here: no cap, no thumbnails.
    media_ = std::make_unique<MediaService>(storage_->media(), *media_store_, clock_, config.max_upload_bytes,
                                            UploadQuota{});
    privacy_ = std::make_unique<PrivacyService>(storage_->privacy(), storage_->chats(), storage_->blocks());
    chats_ = std::make_unique<ChatService>(storage_->chats(), storage_->users(), *media_, bus_, clock_, *privacy_);
    devices_ = std::make_unique<DeviceService>(storage_->devices(), bus_, clock_);
    accounts_ = std::make_unique<AccountService>(storage_->users(), storage_->devices(), storage_->stories(), *chats_,
                                                 *media_, bus_);
    admin_ = std::make_unique<AdminService>(AdminService::Parts{storage_->admin(), storage_->reports(),
                                                                storage_->media(), *media_store_, *devices_,
                                                                *accounts_, bus_, clock_});
}

}  // namespace flow::ctl
