#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace flow::app {

// Runs `work` every `interval` on a pool (the blocking pool, so that slow work never
// holds an I/O thread), one run at a time, until stop(). A run that throws is logged and
// the next one still comes. start() and stop() may be called from any thread; stop()
// must come before the pool is joined, or the pending wait keeps join() waiting.
class PeriodicTask {
public:
    PeriodicTask(boost::asio::thread_pool& pool, std::chrono::milliseconds interval, std::string name,
                 std::function<void()> work);

    void start();
    void stop();

private:
    void arm();

    boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
    boost::asio::steady_timer timer_;
    std::chrono::milliseconds interval_;
    std::string name_;
    std::function<void()> work_;
    bool stopped_ = false;  // on the strand only
};

}  // namespace flow::app
