#pragma once

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "realtime/device_session.hpp"
#include "realtime/gateway.hpp"

namespace flow::realtime {

// The events one device sends, whichever its transport (/ws or Socket.IO). They start one
// after another on a strand of the blocking pool, so a device's sends keep their order;
// a send does not wait for storage before the next event starts, up to kInFlight started
// and not answered (then the next waits, so that one device cannot fill storage's queue
// ahead of everyone else's). An event that waits on nothing (a text message, see
// Gateway::waits_on_nothing) starts right on the I/O thread when no earlier one is still
// to start on the strand.
class DeviceEvents : public std::enable_shared_from_this<DeviceEvents> {
public:
    static constexpr int kInFlight = 64;

    DeviceEvents(const Gateway& gateway, boost::asio::thread_pool& blocking, std::shared_ptr<DeviceSession> session);

    // On the transport's I/O thread, in the order the device sent them. `reply` hears
    // the event's result once answered, on any thread.
    void run(std::string event, boost::json::value data, Gateway::Reply reply);

    // Events handed to run() and not started yet: a transport that can stop reading
    // does so while there are many.
    int waiting() const;

private:
    void start(const std::string& event, const boost::json::value& data, Gateway::Reply reply);
    bool try_start_here();
    void end_event();

    const Gateway& gateway_;
    boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
    std::shared_ptr<DeviceSession> session_;
    mutable std::mutex mutex_;
    std::condition_variable room_;
    int in_flight_ = 0;  // started and not answered
    int to_start_ = 0;   // posted to the strand and not started
};

}  // namespace flow::realtime
