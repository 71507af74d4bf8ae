#pragma once

#include "storage/device_store.hpp"
#include "storage/sql/database.hpp"

namespace flow::sql {

// DeviceStore in SQL, on either engine. Thread-safe through its Database.
class SqlDeviceStore final : public DeviceStore {
public:
    explicit SqlDeviceStore(Database& db) : db_(db) {}

    std::vector<Device> devices_of(const std::string& user_id) override;
    bool remove(const std::string& user_id, const std::string& device_id) override;
    void remove_all(const std::string& user_id) override;
    void set_push(const std::string& device_id, const PushRegistration& registration, TimeMs now) override;
    void clear_push(const std::string& device_id) override;
    std::vector<Device> push_devices(const std::vector<std::string>& user_ids) override;

private:
    Database& db_;
};

}  // namespace flow::sql
