#include "sms/queued_sms_sender.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace flow {
namespace {

using namespace std::chrono_literals;

// A provider that holds each send until let go (or cancelled), and fails those to "+fail".
class GatedSender final : public SmsSender {
public:
    Status send(const SmsMessage& message) override {
        std::unique_lock lock(mutex);
        ++started;
        changed.notify_all();
        changed.wait(lock, [&] { return open; });
        if (message.to == "+fail") return Error::unavailable("sms_unavailable", "provider down");
        sent.push_back(message.to);
        changed.notify_all();
        return Ok{};
    }
    // At the shutdown deadline: lets the held sends end.
    void cancel() override {
        cancelled = true;
        let_go();
    }
    void let_go() {
        std::lock_guard lock(mutex);
        open = true;
        changed.notify_all();
    }
    // Waits until `n` sends have started.
    void wait_started(int n) {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return started >= n; });
    }
    void wait_sent(std::size_t n) {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return sent.size() >= n; });
    }

    std::mutex mutex;
    std::condition_variable changed;
    bool open = false;
    std::atomic<bool> cancelled = false;
    int started = 0;
    std::vector<std::string> sent;
};

SmsMessage to(std::string phone, std::function<void()> on_failed = {}) {
    return {std::move(phone), "123456", "Your Flow code is 123456.", std::move(on_failed)};
}

TEST(QueuedSmsSender, AnswersAtOnceWhileTheProviderIsSlowAndSendsEverything) {
    auto provider = std::make_unique<GatedSender>();
    auto& gate = *provider;
    QueuedSmsSender queue(std::move(provider), 2, 10);
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(queue.send(to("+" + std::to_string(i))));
    gate.wait_started(2);  // both threads wait on the provider; send() did not
    gate.let_go();
    gate.wait_sent(5);
}

TEST(QueuedSmsSender, RefusesWhenFullAndReportsFailuresLater) {
    auto provider = std::make_unique<GatedSender>();
    auto& gate = *provider;
    QueuedSmsSender queue(std::move(provider), 1, 2);
    std::atomic<int> failed = 0;
    EXPECT_TRUE(queue.send(to("+fail", [&] { ++failed; })));
    gate.wait_started(1);  // taken by the thread: the queue is empty again
    EXPECT_TRUE(queue.send(to("+1")));
    EXPECT_TRUE(queue.send(to("+2")));
    const auto full = queue.send(to("+3"));
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, "sms_unavailable");
    EXPECT_EQ(full.error().kind, ErrorKind::unavailable);
    gate.let_go();
    gate.wait_sent(2);
    queue.stop(std::chrono::steady_clock::now() + 5s);
    EXPECT_EQ(failed, 1);
    EXPECT_FALSE(queue.send(to("+4"))) << "stopped";
}

TEST(QueuedSmsSender, StopDropsWhatIsStillQueuedAtTheDeadline) {
    auto provider = std::make_unique<GatedSender>();
    auto& gate = *provider;
    QueuedSmsSender queue(std::move(provider), 1, 10);
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(queue.send(to("+" + std::to_string(i))));
    gate.wait_started(1);
    const auto started = std::chrono::steady_clock::now();
    queue.stop(started + 100ms);
    EXPECT_TRUE(gate.cancelled) << "the send under way at the deadline is cancelled";
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(gate.sent, std::vector<std::string>{"+0"});  // the one under way ended; 3 dropped
}

TEST(QueuedSmsSender, StopWithNothingUnderWayCancelsNothing) {
    auto provider = std::make_unique<GatedSender>();
    auto& gate = *provider;
    gate.let_go();
    QueuedSmsSender queue(std::move(provider), 2, 10);
    EXPECT_TRUE(queue.send(to("+1")));
    gate.wait_sent(1);
    queue.stop(std::chrono::steady_clock::now() + 5s);
    EXPECT_FALSE(gate.cancelled);
}

}  // namespace
}  // namespace flow
