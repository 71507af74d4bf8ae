#include "media/thumbnail/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

extern char** environ;

namespace flow {

namespace {

using Clock = std::chrono::steady_clock;

// Both ends of a pipe, closed on every path out.
struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read = fds[0];
            write = fds[1];
        }
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    bool ok() const { return read >= 0; }
    void close_read() {
        if (read >= 0) ::close(read);
        read = -1;
    }
    void close_write() {
        if (write >= 0) ::close(write);
        write = -1;
    }
};

// posix_spawn: descriptors 0-2 as given and no others; signals unblocked and at their
// defaults (flowd ignores SIGPIPE, which an exec would keep); a process group of its own,
// so that killing it reaches whatever it started.
int spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd, pid_t& pid) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid, argv.at(0).c_str(), &actions, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

// Reads what is there; false at the end of the stream (or a failed read).
bool drain(int fd, std::string& into, std::size_t keep) {
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (into.size() < keep) into.append(buffer, std::min(static_cast<std::size_t>(n), keep - into.size()));
        return true;
    }
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv, int stdin_fd, const ChildLimits& limits, int cancel_fd) {
    ChildResult result;
    Pipe out, err;
    if (!out.ok() || !err.ok()) {
        result.errors = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    pid_t pid = -1;
    if (const int rc = spawn(argv, stdin_fd, out.write, err.write, pid); rc != 0) {
        result.errors = "posix_spawn " + argv.at(0) + ": " + std::strerror(rc);
        return result;
    }
    out.close_write();
    err.close_write();

    const auto deadline = Clock::now() + limits.timeout;
    std::optional<ChildResult::End> killed;
    // One byte past the cap tells "too much" from "exactly the cap".
    const std::size_t output_cap = limits.max_output_bytes + 1;
    while (!killed && (out.read >= 0 || err.read >= 0)) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            killed = ChildResult::End::timed_out;
            break;
        }
        pollfd fds[] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
        const int ready = ::poll(fds, 3, static_cast<int>(std::min<long long>(left, 60'000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) {
            killed = ChildResult::End::timed_out;
            break;
        }
        if (fds[2].revents != 0) killed = ChildResult::End::cancelled;
        if (fds[0].revents != 0 && !drain(out.read, result.output, output_cap)) out.close_read();
        if (fds[1].revents != 0 && !drain(err.read, result.errors, limits.max_error_bytes)) err.close_read();
        if (result.output.size() > limits.max_output_bytes) killed = ChildResult::End::too_much;
    }
    // Its output closed; it may still be finishing (or be stuck).
    int status = 0;
    while (!killed) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) break;
        if (Clock::now() >= deadline) {
            killed = ChildResult::End::timed_out;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (killed) {
        ::kill(-pid, SIGKILL);  // the group, before the reap frees the pid for reuse
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.end = *killed;
        return result;
    }
    if (WIFSIGNALED(status)) {
        result.end = ChildResult::End::signalled;
        result.code = WTERMSIG(status);
    } else {
        result.end = ChildResult::End::exited;
        result.code = WEXITSTATUS(status);
    }
    return result;
}

std::string describe(const ChildResult& result) {
    switch (result.end) {
        case ChildResult::End::exited: return "exit " + std::to_string(result.code);
        case ChildResult::End::signalled: return "killed by signal " + std::to_string(result.code);
        case ChildResult::End::timed_out: return "timed out";
        case ChildResult::End::too_much: return "wrote too much";
        case ChildResult::End::cancelled: return "cancelled";
        case ChildResult::End::not_started: return "did not start";
    }
    return "?";
}

}  // namespace flow
