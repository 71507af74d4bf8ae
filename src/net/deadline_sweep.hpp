#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

namespace flow::net {

class DeadlineSweep;

// A connection's next deadline (a ping to send, a frame overdue), to the precision of
// its sweep's period. Every Deadline of a sweep is checked by the sweep's one timer, so
// an idle connection holds no timer and no pending timer operation of its own.
class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    // `on_due(false)` runs when the deadline has passed, from the sweep's timer (any
    // thread, under the sweep's lock): it must only post to its owner's executor. The
    // deadline is cleared before; set it again for the next one. `on_due(true)` runs once
    // the I/O threads have stopped (DeadlineSweep::end_all), for the owner to end at once.
    Deadline(DeadlineSweep& sweep, std::function<void(bool stopped)> on_due);
    ~Deadline();
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    // Any thread.
    // Never called early: `when` is rounded up to the sweep's milliseconds.
    void set(Clock::time_point when) {
        due_ms_.store(std::chrono::ceil<std::chrono::milliseconds>(when.time_since_epoch()).count(),
                      std::memory_order_relaxed);
    }
    void clear() { due_ms_.store(kNever, std::memory_order_relaxed); }

private:
    friend class DeadlineSweep;
    struct List;
    static constexpr std::int64_t kNever = INT64_MAX;
    static std::int64_t to_ms(Clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    }

    std::shared_ptr<List> list_;  // shared with the sweep, so that either may go first
    std::function<void(bool stopped)> on_due_;
    std::atomic<std::int64_t> due_ms_{kNever};
    Deadline* prev_ = nullptr;  // in the list, under its mutex
    Deadline* next_ = nullptr;
};

// One timer that checks every registered Deadline once per `period`. Stop it before its
// executor goes; the deadlines may outlive it.
class DeadlineSweep {
public:
    explicit DeadlineSweep(boost::asio::any_io_executor executor,
                           std::chrono::milliseconds period = std::chrono::seconds(1));
    void start();
    void stop();
    // Once the I/O threads have stopped: every deadline's owner hears on_due(true), so
    // that what is still open ends (and lets go of what it holds) before the process does.
    void end_all();

private:
    friend class Deadline;
    void schedule();

    std::shared_ptr<Deadline::List> list_;
    std::chrono::milliseconds period_;
    boost::asio::steady_timer timer_;
    bool running_ = false;
};

}  // namespace flow::net
