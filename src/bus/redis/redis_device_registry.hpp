#pragma once

#include <string>
#include <vector>

#include "bus/device_registry.hpp"
#include "bus/redis/redis_connection.hpp"

namespace flow {

// The registry in Redis: for each user, a hash of the nodes that have their devices, and
// for each device, a hash of the nodes with its count of sockets there. A
// node that dies without saying so stops counting when its heartbeat key expires (15 s),
// so its users do not stay online for ever. While Redis is away, each node answers for
// itself alone, as a single node would. Blocking; thread-safe.
class RedisDeviceRegistry final : public DeviceRegistry {
public:
    RedisDeviceRegistry(const RedisAddress& address, std::string node_id)
        : redis_(address), node_id_(std::move(node_id)) {
        heartbeat();
    }

    bool arrived(const std::string& user_id) override;
    bool left(const std::string& user_id) override;
    bool connected(const std::string& user_id) override;
    void device_opened(const std::string& device_id) override;
    void device_closed(const std::string& device_id) override;
    std::optional<std::vector<bool>> devices_connected(const std::vector<std::string>& device_ids) override;
    void heartbeat() override;

private:
    // How many live nodes have the user's devices after the script's change.
    long long live_nodes(const char* script, const std::string& user_id);
    void count_device(const std::string& device_id, int by);

    RedisConnection redis_;
    const std::string node_id_;
};

}  // namespace flow
