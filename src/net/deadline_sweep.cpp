#include "net/deadline_sweep.hpp"

#include <vector>

namespace flow::net {

struct Deadline::List {
    std::mutex mutex;
    Deadline* first = nullptr;

    void sweep() {
        const auto now = to_ms(Clock::now());
        std::lock_guard lock(mutex);
        for (Deadline* d = first; d; d = d->next_) {
            auto due = d->due_ms_.load(std::memory_order_relaxed);
            // Cleared before the call, so that a deadline set meanwhile is kept.
            if (due <= now && d->due_ms_.compare_exchange_strong(due, kNever, std::memory_order_relaxed))
                d->on_due_(false);
        }
    }
};

Deadline::Deadline(DeadlineSweep& sweep, std::function<void(bool stopped)> on_due)
    : list_(sweep.list_), on_due_(std::move(on_due)) {
    std::lock_guard lock(list_->mutex);
    next_ = list_->first;
    if (next_) next_->prev_ = this;
    list_->first = this;
}

Deadline::~Deadline() {
    std::lock_guard lock(list_->mutex);
    if (prev_) prev_->next_ = next_;
    else list_->first = next_;
    if (next_) next_->prev_ = prev_;
}

DeadlineSweep::DeadlineSweep(boost::asio::any_io_executor executor, std::chrono::milliseconds period)
    : list_(std::make_shared<Deadline::List>()), period_(period), timer_(std::move(executor)) {}

void DeadlineSweep::start() {
    running_ = true;
    schedule();
}

void DeadlineSweep::stop() {
    running_ = false;
    timer_.cancel();
}

void DeadlineSweep::end_all() {
    // Called outside the lock: an owner that ends destroys its Deadline, which takes it.
    std::vector<std::function<void(bool)>> owners;
    {
        std::lock_guard lock(list_->mutex);
        for (Deadline* d = list_->first; d; d = d->next_) owners.push_back(d->on_due_);
    }
    for (auto& on_due : owners) on_due(true);
}

void DeadlineSweep::schedule() {
    timer_.expires_after(period_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !running_) return;
        list_->sweep();
        schedule();
    });
}

}  // namespace flow::net
