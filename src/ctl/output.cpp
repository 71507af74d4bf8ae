#include "ctl/output.hpp"

#include "wire/device_json.hpp"
#include "wire/user_json.hpp"

namespace flow::ctl {

namespace json = boost::json;

namespace {

json::value optional_value(const std::optional<TimeMs>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

json::value optional_value(const std::optional<std::string>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

}  // namespace

json::object to_json(const UserRecord& record) {
    auto out = wire::to_json(record.user);
    out["banned"] = record.banned_at.has_value();
    out["banned_at"] = optional_value(record.banned_at);
    out["deleted"] = is_deleted(record.user);
    out["devices"] = record.devices;
    return out;
}

json::object to_json(const Device& device) {
    auto out = wire::to_json(device, false);
    out.erase("current");
    return out;
}

json::object to_json(const Report& report) {
    json::array messages;
    for (const auto& m : report.messages)
        messages.push_back(json::object{{"message_id", m.message_id},
                                        {"chat_id", m.chat_id},
                                        {"seq", m.seq},
                                        {"sender_id", m.sender_id},
                                        {"type", to_string(m.type)},
                                        {"text", m.text},
                                        {"media_id", optional_value(m.media_id)},
                                        {"created_at", m.created_at}});
    return {{"id", report.id},
            {"reporter_id", report.reporter_id},
            {"reported_id", report.reported_id},
            {"reason", to_string(report.reason)},
            {"note", report.note},
            {"created_at", report.created_at},
            {"resolved_at", optional_value(report.resolved_at)},
            {"messages", std::move(messages)}};
}

json::object to_json(const StoreCounts& c) {
    return {{"users", c.users},
            {"banned_users", c.banned_users},
            {"deleted_users", c.deleted_users},
            {"devices", c.devices},
            {"chats", c.chats},
            {"messages", c.messages},
            {"media_objects", c.media_objects},
            {"media_bytes", c.media_bytes},
            {"reports", c.reports},
            {"open_reports", c.open_reports}};
}

}  // namespace flow::ctl
