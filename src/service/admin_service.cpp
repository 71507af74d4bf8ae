#include "service/admin_service.hpp"

#include "auth/phone_number.hpp"
#include "media/media_key.hpp"

namespace flow {

namespace {

Error no_user() { return Error::not_found("no such user"); }

}  // namespace

Result<UserRecord> AdminService::find_user(const std::string& user_id) {
    auto record = p_.admin.find_user(user_id);
    if (!record) return no_user();
    return std::move(*record);
}

Result<UserRecord> AdminService::find_by_phone(const std::string& input) {
    const auto phone = normalize_phone(input);
    if (!phone) return Error::invalid("invalid_phone", "not a valid number in international notation, like +14155550123");
    auto record = p_.admin.find_by_phone(*phone);
    if (!record) return Error::not_found("no user has " + *phone);
    return std::move(*record);
}

Result<std::vector<Device>> AdminService::devices(const std::string& user_id) {
    if (!p_.admin.find_user(user_id)) return no_user();
    return p_.devices.list(Caller{user_id, ""});
}

Status AdminService::revoke_device(const std::string& user_id, const std::string& device_id) {
    if (!p_.admin.find_user(user_id)) return no_user();
    return p_.devices.remove(Caller{user_id, ""}, device_id);
}

Result<std::vector<std::string>> AdminService::ban(const std::string& user_id) {
    auto ended = p_.admin.ban(user_id, p_.clock.now_ms());
    if (!ended) return no_user();
    for (const auto& device_id : *ended) p_.bus.publish({{user_id}, "", event::SessionEnded{device_id}});
    return std::move(*ended);
}

Status AdminService::unban(const std::string& user_id) {
    if (!p_.admin.unban(user_id)) return no_user();
    return Ok{};
}

Status AdminService::delete_account(const std::string& user_id) {
    const auto record = p_.admin.find_user(user_id);
    if (!record || is_deleted(record->user)) return no_user();
    p_.accounts.delete_account(Caller{user_id, ""});
    return Ok{};
}

Status AdminService::purge_media(const std::string& media_id) {
    if (!is_valid_media_key(media_id) || !p_.catalog.remove(media_id)) return Error::not_found("no such media");
    // The record first: from then on nobody is served the bytes, whether or not the store
    // removes them now (a failure here is thrown, and the bytes are left behind).
    remove_media_objects(p_.media, media_id);
    return Ok{};
}

Result<Report> AdminService::resolve_report(const std::string& report_id) {
    if (!p_.reports.resolve(report_id, p_.clock.now_ms())) return Error::not_found("no such report");
    auto report = p_.reports.find(report_id);
    if (!report) return Error::not_found("no such report");
    return std::move(*report);
}

}  // namespace flow
