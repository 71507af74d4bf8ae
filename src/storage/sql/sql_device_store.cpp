#include "storage/sql/sql_device_store.hpp"

namespace flow::sql {

namespace {

#define DEVICE_COLUMNS                                                                  \
    "s.id, s.user_id, s.device, s.platform, s.created_at, s.last_seen_at, "             \
    "p.kind, p.endpoint, p.p256dh, p.auth, p.token, p.voip "

Device read_device(const Statement& row) {
    Device device{row.text(0), row.text(1), row.text(2), platform_from(row.text(3)).value_or(Platform::other),
                  row.integer(4), row.integer(5), std::nullopt};
    if (auto kind = row.optional_text(6))
        if (auto known = push_kind_from(*kind))
            device.push = PushRegistration{*known, row.text(7), row.text(8), row.text(9), row.text(10),
                                           row.integer(11) != 0};
    return device;
}

}  // namespace

std::vector<Device> SqlDeviceStore::devices_of(const std::string& user_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT " DEVICE_COLUMNS
                               "FROM sessions s LEFT JOIN push_registrations p ON p.session_id = s.id "
                               "WHERE s.user_id = ? ORDER BY s.created_at, s.id");
        stmt.bind(1, user_id);
        std::vector<Device> devices;
        while (stmt.step()) devices.push_back(read_device(stmt));
        return devices;
    });
}

std::vector<Device> SqlDeviceStore::push_devices(const std::vector<std::string>& user_ids) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("SELECT " DEVICE_COLUMNS
                               "FROM push_registrations p JOIN sessions s ON s.id = p.session_id WHERE s.user_id = ?");
        std::vector<Device> devices;
        for (const auto& user_id : user_ids) {
            stmt.bind(1, user_id);
            while (stmt.step()) devices.push_back(read_device(stmt));
            stmt.reset();
        }
        return devices;
    });
}

bool SqlDeviceStore::remove(const std::string& user_id, const std::string& device_id) {
    return db_.with([&](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sessions WHERE id = ? AND user_id = ?");
        stmt.bind(1, device_id).bind(2, user_id).run();
        return stmt.changes() == 1;
    });
}

void SqlDeviceStore::remove_all(const std::string& user_id) {
    db_.with([&](Connection& db) { db.prepare("DELETE FROM sessions WHERE user_id = ?").bind(1, user_id).run(); });
}

void SqlDeviceStore::set_push(const std::string& device_id, const PushRegistration& r, TimeMs now) {
    db_.transaction([&](Connection& db) {
        db.prepare("DELETE FROM push_registrations WHERE session_id = ?").bind(1, device_id).run();
        db.prepare("INSERT INTO push_registrations (session_id, kind, endpoint, p256dh, auth, token, voip, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, device_id)
            .bind(2, to_string(r.kind))
            .bind(3, r.endpoint)
            .bind(4, r.p256dh)
            .bind(5, r.auth)
            .bind(6, r.token)
            .bind(7, std::int64_t{r.voip ? 1 : 0})
            .bind(8, now)
            .run();
    });
}

void SqlDeviceStore::clear_push(const std::string& device_id) {
    db_.with([&](Connection& db) {
        db.prepare("DELETE FROM push_registrations WHERE session_id = ?").bind(1, device_id).run();
    });
}

}  // namespace flow::sql
