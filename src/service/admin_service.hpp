#pragma once

#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/device.hpp"
#include "domain/report.hpp"
#include "media/media_store.hpp"
#include "service/account_service.hpp"
#include "service/device_service.hpp"
#include "storage/admin_store.hpp"
#include "storage/media_catalog.hpp"
#include "storage/report_store.hpp"

namespace flow {

// The operator's use cases (flowctl): finding users, signing their devices out, banning,
// deleting accounts, purging media, counting, reviewing reports. What a change means for
// live sockets is published on the bus, as the API's own changes are. Blocking (storage,
// the media store). Thread-safe.
class AdminService {
public:
    struct Parts {
        AdminStore& admin;
        ReportStore& reports;
        MediaCatalog& catalog;
        MediaStore& media;
        DeviceService& devices;
        AccountService& accounts;
        EventBus& bus;
        const Clock& clock;
    };
    explicit AdminService(Parts parts) : p_(parts) {}

    // not_found for no such user; `invalid_phone` for a number that is none.
    Result<UserRecord> find_user(const std::string& user_id);
    Result<UserRecord> find_by_phone(const std::string& phone);
    Result<std::vector<Device>> devices(const std::string& user_id);
    // Signs one device out, as the user would: its token dies and its sockets close.
    Status revoke_device(const std::string& user_id, const std::string& device_id);
    // Bans the user: every device of theirs is signed out (tokens die at once, sockets
    // close on every node) and sign-in is refused with 403 `banned` until unban. The ids
    // of the devices signed out.
    Result<std::vector<std::string>> ban(const std::string& user_id);
    Status unban(const std::string& user_id);
    // AccountService::delete_account as the user would; not_found for a user deleted already.
    Status delete_account(const std::string& user_id);
    // Removes a media object from the catalog and its bytes (and thumbnail's) from the
    // media store, whatever uses it. What used it keeps the id: messages and stories read
    // with `media: null`, a profile or group picture keeps its image_id, and GET
    // /media/{id} (and its thumbnail) answer 404. Nothing is sent to live sockets: devices
    // that have the bytes keep them.
    Status purge_media(const std::string& media_id);
    StoreCounts counts() { return p_.admin.counts(); }
    std::vector<Report> reports(bool open_only, int limit) { return p_.reports.list(open_only, limit); }
    // The report, resolved now (or when it first was); not_found for no such report.
    Result<Report> resolve_report(const std::string& report_id);

private:
    Parts p_;
};

}  // namespace flow
