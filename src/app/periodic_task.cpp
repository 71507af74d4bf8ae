#include "app/periodic_task.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <exception>

namespace flow::app {

namespace asio = boost::asio;

PeriodicTask::PeriodicTask(asio::thread_pool& pool, std::chrono::milliseconds interval, std::string name,
                           std::function<void()> work)
    : strand_(asio::make_strand(pool.get_executor())), timer_(strand_), interval_(interval),
      name_(std::move(name)), work_(std::move(work)) {}

void PeriodicTask::start() {
    asio::post(strand_, [this] { arm(); });
}

void PeriodicTask::stop() {
    asio::post(strand_, [this] {
        stopped_ = true;
        timer_.cancel();
    });
}

void PeriodicTask::arm() {
    if (stopped_) return;
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        try {
            work_();
        } catch (const std::exception& e) {
            spdlog::error("{} failed: {}", name_, e.what());
        }
        arm();
    });
}

}  // namespace flow::app
