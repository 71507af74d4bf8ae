#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sms/sms_sender.hpp"

namespace flow {

// Sends through a provider on a few threads of its own, so that a slow or stuck provider
// holds none of the threads requests are answered on (a webhook may take its 10 s). send()
// only queues: it fails with `sms_unavailable` (503) when `capacity` messages already
// wait or it has stopped; a send that fails later is logged and reported to the
// message's on_failed. Owns the provider; thread-safe.
class QueuedSmsSender final : public SmsSender {
public:
    QueuedSmsSender(std::unique_ptr<SmsSender> provider, std::size_t threads, std::size_t capacity);
    ~QueuedSmsSender() override;  // stop(now)
    QueuedSmsSender(const QueuedSmsSender&) = delete;
    QueuedSmsSender& operator=(const QueuedSmsSender&) = delete;

    Status send(const SmsMessage& message) override;

    // Takes no more messages, sends those waiting until `deadline`, then drops (with a
    // log line) any still waiting, cancels the provider's sends under way, and joins the
    // threads. Later calls do nothing.
    void stop(std::chrono::steady_clock::time_point deadline);

private:
    void work();

    std::unique_ptr<SmsSender> provider_;
    const std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;                        // a thread has ended
    std::deque<SmsMessage> queue_;                        // guarded by mutex_
    bool stopping_ = false;                               // guarded by mutex_
    std::size_t running_ = 0;                             // threads not ended; guarded by mutex_
    std::size_t sending_ = 0;                             // threads in the provider; guarded by mutex_
    std::chrono::steady_clock::time_point deadline_;      // guarded by mutex_, once stopping_
    std::vector<std::thread> threads_;
};

}  // namespace flow
