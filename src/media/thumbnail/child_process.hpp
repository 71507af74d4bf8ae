#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace flow {

// How a child process ended, and what it wrote.
struct ChildResult {
    enum class End {
        exited,        // `code` is its exit status
        signalled,     // `code` is the signal that killed it (SIGXCPU past its CPU limit...)
        timed_out,     // killed at the deadline
        too_much,      // killed for writing more than it may
        cancelled,     // killed because `cancel_fd` became readable
        not_started,   // posix_spawn failed: `errors` says why
    };
    End end = End::not_started;
    int code = 0;
    std::string output;  // its standard output
    std::string errors;  // the start of its standard error
};

// What a child may take, seen from outside it (limits of its own it sets itself).
struct ChildLimits {
    std::chrono::milliseconds timeout{20'000};
    std::size_t max_output_bytes = 1024 * 1024;
    std::size_t max_error_bytes = 4096;  // more is read and dropped
};

// Runs `argv[0]` (a path, not looked up on PATH) with `argv`, `stdin_fd` as its standard
// input, its output and errors read back through pipes, in a process group of its own,
// with every other descriptor closed and signals at their defaults. Kills the group at
// the deadline, past the output cap, or once `cancel_fd` (if not -1) is readable. Blocks
// until the child is gone; thread-safe.
ChildResult run_child(const std::vector<std::string>& argv, int stdin_fd, const ChildLimits& limits,
                      int cancel_fd = -1);

// A short account of how it ended, for logs: "exit 3", "killed by signal 24", "timed out".
std::string describe(const ChildResult& result);

}  // namespace flow
