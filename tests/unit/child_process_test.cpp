// run_child, which runs thumbnail decoders: what the child reads and writes, and that
// whatever it does (hang, start others that hang, flood its output, crash) it is gone
// within its limits.
#include "media/thumbnail/child_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

namespace flow {
namespace {

using namespace std::chrono_literals;
using End = ChildResult::End;

ChildResult shell(const std::string& script, ChildLimits limits = {}, int stdin_fd = -1, int cancel_fd = -1) {
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    auto result = run_child({"/bin/sh", "-c", script}, stdin_fd >= 0 ? stdin_fd : null_fd, limits, cancel_fd);
    ::close(null_fd);
    return result;
}

TEST(RunChild, GivesItsExitStatusOutputAndErrors) {
    const auto result = shell("printf 'a picture'; echo 'a complaint' >&2; exit 3");
    EXPECT_EQ(result.end, End::exited);
    EXPECT_EQ(result.code, 3);
    EXPECT_EQ(result.output, "a picture");
    EXPECT_EQ(result.errors, "a complaint\n");
    EXPECT_EQ(describe(result), "exit 3");
}

TEST(RunChild, ReadsTheFileItIsGivenFromTheStart) {
    FILE* file = std::tmpfile();
    std::fputs("the media's bytes", file);
    std::fflush(file);
    ::lseek(::fileno(file), 0, SEEK_SET);
    const auto result = shell("cat", {}, ::fileno(file));
    std::fclose(file);
    EXPECT_EQ(result.end, End::exited);
    EXPECT_EQ(result.output, "the media's bytes");
}

TEST(RunChild, SeesNoDescriptorOfTheParentButItsThree) {
    const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC
    ASSERT_GE(leaked, 3);
    const auto result = shell("if [ -e /proc/self/fd/" + std::to_string(leaked) + " ]; then echo open; else echo closed; fi");
    ::close(leaked);
    EXPECT_EQ(result.output, "closed\n");
}

TEST(RunChild, KillsAChildThatHangsAndWhatItStartedAtTheDeadline) {
    const auto start = std::chrono::steady_clock::now();
    // The background sleep holds the output pipe open: only killing the group ends it.
    const auto result = shell("sleep 30 & sleep 30", {.timeout = 300ms});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.end, End::timed_out);
    EXPECT_LT(took, 5s);
    EXPECT_EQ(describe(result), "timed out");
}

TEST(RunChild, KillsAChildThatClosesItsOutputAndHangs) {
    const auto result = shell("exec >&- 2>&-; sleep 30", {.timeout = 300ms});
    EXPECT_EQ(result.end, End::timed_out);
}

TEST(RunChild, KillsAChildThatWritesTooMuch) {
    const auto result = shell("yes", {.max_output_bytes = 1000});
    EXPECT_EQ(result.end, End::too_much);
    EXPECT_LE(result.output.size(), 1001u);
    // Exactly the cap is still fine.
    const auto just = shell("head -c 1000 /dev/zero", {.max_output_bytes = 1000});
    EXPECT_EQ(just.end, End::exited);
    EXPECT_EQ(just.output.size(), 1000u);
}

TEST(RunChild, KeepsOnlyTheStartOfItsErrors) {
    const auto result = shell("head -c 100000 /dev/zero >&2", {.max_error_bytes = 10});
    EXPECT_EQ(result.end, End::exited);
    EXPECT_EQ(result.errors.size(), 10u);
}

TEST(RunChild, TellsACrashFromAnExit) {
    const auto result = shell("kill -SEGV $$");
    EXPECT_EQ(result.end, End::signalled);
    EXPECT_EQ(result.code, SIGSEGV);
    EXPECT_EQ(describe(result), "killed by signal 11");
}

TEST(RunChild, SignalsAreAtTheirDefaultsInTheChild) {
    // The test runner may ignore SIGPIPE, as flowd does; the child must not inherit that.
    std::signal(SIGPIPE, SIG_IGN);
    const auto result = shell("kill -PIPE $$");
    std::signal(SIGPIPE, SIG_DFL);
    EXPECT_EQ(result.end, End::signalled);
    EXPECT_EQ(result.code, SIGPIPE);
}

TEST(RunChild, EndsWhenCancelled) {
    const int cancel = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const std::uint64_t one = 1;
    ASSERT_EQ(::write(cancel, &one, sizeof one), 8);
    const auto result = shell("sleep 30", {}, -1, cancel);
    ::close(cancel);
    EXPECT_EQ(result.end, End::cancelled);
}

TEST(RunChild, SaysWhyAProgramDidNotStart) {
    const auto result = run_child({"/nonexistent/decoder"}, 0, {});
    EXPECT_EQ(result.end, End::not_started);
    EXPECT_NE(result.errors.find("/nonexistent/decoder"), std::string::npos) << result.errors;
}

}  // namespace
}  // namespace flow
