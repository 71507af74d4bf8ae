#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace flow {

// The way into a one-node flowd (no Redis) for processes beside it on the machine
// (flowctl): a Unix domain socket in its data dir, readable by its user alone. A client
// writes deliveries' envelopes (wire::to_envelope), one per line, and shuts its side
// down; flowd hands each to its hub as it would an envelope from another node, then
// answers `ok N` (N: the envelopes taken) and closes.
inline constexpr const char* kEnvelopeSocketName = "flowd.sock";

// flowd's side: listens on `path` on a thread of its own (one client at a time, each
// given a few seconds), so nothing of it runs on an I/O thread. Thread-safe.
class EnvelopeSocketListener {
public:
    using Handler = std::function<void(std::string_view envelope)>;

    // Binds `path` with mode 0600, replacing a stale socket there, and starts listening.
    // Throws std::runtime_error when it cannot.
    EnvelopeSocketListener(std::string path, Handler on_envelope);
    // Stops, and removes the socket file.
    ~EnvelopeSocketListener();
    EnvelopeSocketListener(const EnvelopeSocketListener&) = delete;
    EnvelopeSocketListener& operator=(const EnvelopeSocketListener&) = delete;

    const std::string& path() const { return path_; }

private:
    void run();
    void serve(int fd);

    const std::string path_;
    const Handler on_envelope_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;  // an eventfd that breaks the thread's poll when stopping
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// What sending envelopes to a flowd came to.
struct EnvelopesSent {
    enum class Outcome { delivered, not_running, failed } outcome = Outcome::failed;
    std::size_t taken = 0;  // delivered: how many flowd took
    std::string detail;     // not_running, failed: why, for the operator
};

// The client's side: sends `envelopes` to the flowd listening on `path` and waits (up to
// `timeout`) for its answer. Blocking.
EnvelopesSent send_envelopes(const std::string& path, const std::vector<std::string>& envelopes,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace flow
