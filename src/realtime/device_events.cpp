#include "realtime/device_events.hpp"

#include <boost/asio/post.hpp>

namespace flow::realtime {

namespace asio = boost::asio;

DeviceEvents::DeviceEvents(const Gateway& gateway, asio::thread_pool& blocking, std::shared_ptr<DeviceSession> session)
    : gateway_(gateway), strand_(asio::make_strand(blocking.get_executor())), session_(std::move(session)) {}

void DeviceEvents::run(std::string event, boost::json::value data, Gateway::Reply reply) {
    if (gateway_.waits_on_nothing(event, data) && try_start_here()) return start(event, data, std::move(reply));
    {
        std::lock_guard lock(mutex_);
        ++to_start_;
    }
    asio::post(strand_, [self = shared_from_this(), event = std::move(event), data = std::move(data),
                         reply = std::move(reply)]() mutable {
        {
            std::unique_lock lock(self->mutex_);
            self->room_.wait(lock, [&] { return self->in_flight_ < kInFlight; });
            ++self->in_flight_;
        }
        self->start(event, data, std::move(reply));
        std::lock_guard lock(self->mutex_);
        --self->to_start_;
    });
}

int DeviceEvents::waiting() const {
    std::lock_guard lock(mutex_);
    return to_start_;
}

bool DeviceEvents::try_start_here() {
    std::lock_guard lock(mutex_);
    if (to_start_ > 0 || in_flight_ >= kInFlight) return false;
    ++in_flight_;
    return true;
}

void DeviceEvents::start(const std::string& event, const boost::json::value& data, Gateway::Reply reply) {
    gateway_.handle(*session_, event, data, [self = shared_from_this(), reply = std::move(reply)](Result<boost::json::value> result) {
        self->end_event();
        reply(std::move(result));
    });
}

void DeviceEvents::end_event() {
    {
        std::lock_guard lock(mutex_);
        --in_flight_;
    }
    room_.notify_one();
}

}  // namespace flow::realtime
