#include "sms/queued_sms_sender.hpp"

#include <spdlog/spdlog.h>

#include "common/thread_name.hpp"

namespace flow {

QueuedSmsSender::QueuedSmsSender(std::unique_ptr<SmsSender> provider, std::size_t threads, std::size_t capacity)
    : provider_(std::move(provider)), capacity_(capacity), running_(threads) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

QueuedSmsSender::~QueuedSmsSender() { stop(std::chrono::steady_clock::now()); }

Status QueuedSmsSender::send(const SmsMessage& message) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return Error::unavailable("sms_unavailable", "the server is stopping; try again");
        // A bound on what a provider outage can pile up: past it, callers hear so at once.
        if (queue_.size() >= capacity_)
            return Error::unavailable("sms_unavailable", "too many codes are waiting to be sent; try again shortly");
        queue_.push_back(message);
    }
    wake_.notify_one();
    return Ok{};
}

void QueuedSmsSender::stop(std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        deadline_ = deadline;
    }
    wake_.notify_all();
    {
        std::unique_lock lock(mutex_);
        if (!idle_.wait_until(lock, deadline, [this] { return running_ == 0; }) && sending_ > 0) {
            spdlog::warn("sms: stopping: cancelling {} send(s) under way", sending_);
            lock.unlock();
            provider_->cancel();
        }
    }
    for (auto& thread : threads_) thread.join();
    if (!queue_.empty()) {
        spdlog::warn("sms: stopping: dropped {} sign-in code(s) not sent in time", queue_.size());
        queue_.clear();
    }
}

void QueuedSmsSender::work() {
    name_this_thread("flow-sms");
    for (;;) {
        SmsMessage message;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            // What is left at the deadline stays for stop() to count and drop.
            if (queue_.empty() || (stopping_ && std::chrono::steady_clock::now() >= deadline_)) {
                --running_;
                idle_.notify_all();
                return;
            }
            message = std::move(queue_.front());
            queue_.pop_front();
            ++sending_;
        }
        Status sent = Ok{};
        try {
            sent = provider_->send(message);
        } catch (const std::exception& e) {
            sent = Error::unavailable("sms_unavailable", e.what());
        }
        {
            std::lock_guard lock(mutex_);
            --sending_;
        }
        if (sent) continue;
        // The phone and the code stay out of the log.
        spdlog::warn("sms: a sign-in code could not be sent: {}", sent.error().message);
        if (!message.on_failed) continue;
        try {
            message.on_failed();
        } catch (const std::exception& e) {
            spdlog::error("sms: after a failed send: {}", e.what());
        }
    }
}

}  // namespace flow
