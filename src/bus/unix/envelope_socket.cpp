#include "bus/unix/envelope_socket.hpp"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/thread_name.hpp"

namespace flow {

namespace {

// A client has this long to send its envelopes; flowctl sends a few small ones.
constexpr auto kClientTime = std::chrono::seconds(5);
// Past this, a line is no envelope: the client is cut off.
constexpr std::size_t kMaxEnvelopeBytes = 16 << 20;

std::string error_text(int error) { return std::strerror(error); }

sockaddr_un address_of(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        throw std::runtime_error(path + ": too long for a Unix socket's path (" +
                                 std::to_string(sizeof address.sun_path - 1) + " bytes at most)");
    std::memcpy(address.sun_path, path.data(), path.size());
    return address;
}

// Only the user flowd runs as (and root) may hand it deliveries; the file's mode says so
// too, but a folder of looser permissions should not widen it.
bool same_user(int fd) {
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
    return peer.uid == ::geteuid() || peer.uid == 0;
}

}  // namespace

EnvelopeSocketListener::EnvelopeSocketListener(std::string path, Handler on_envelope)
    : path_(std::move(path)), on_envelope_(std::move(on_envelope)) {
    const auto address = address_of(path_);
    // A socket left by a flowd that did not stop cleanly is replaced; anything else is
    // not ours to remove.
    struct stat existing {};
    if (::lstat(path_.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode)) throw std::runtime_error(path_ + " exists and is no socket");
        ::unlink(path_.c_str());
    }
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket: " + error_text(errno));
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::chmod(path_.c_str(), 0600) != 0 || ::listen(listen_fd_, 4) != 0) {
        const int error = errno;
        ::close(listen_fd_);
        throw std::runtime_error("cannot listen on " + path_ + ": " + error_text(error));
    }
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        const int error = errno;
        ::close(listen_fd_);
        ::unlink(path_.c_str());
        throw std::runtime_error("eventfd: " + error_text(error));
    }
    thread_ = std::thread([this] {
        name_this_thread("flow-ctl-sock");
        run();
    });
}

EnvelopeSocketListener::~EnvelopeSocketListener() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
    ::close(wake_fd_);
    ::unlink(path_.c_str());
}

void EnvelopeSocketListener::run() {
    while (!stopping_) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            spdlog::error("{}: poll: {}; flowctl cannot reach this flowd any more", path_, error_text(errno));
            return;
        }
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        try {
            serve(fd);
        } catch (const std::exception& e) {
            spdlog::warn("{}: {}", path_, e.what());
        }
        ::close(fd);
    }
}

void EnvelopeSocketListener::serve(int fd) {
    if (!same_user(fd)) return;
    const auto deadline = std::chrono::steady_clock::now() + kClientTime;
    std::string pending;
    std::size_t taken = 0;
    char buffer[64 * 1024];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            spdlog::warn("{}: a client sent no end within {} s; cut off", path_, kClientTime.count());
            return;
        }
        pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0 || fds[1].revents != 0) return;
        const auto got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return;
        }
        if (got == 0) break;
        pending.append(buffer, static_cast<std::size_t>(got));
        std::size_t start = 0;
        for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
            if (end > start) {
                on_envelope_(std::string_view(pending).substr(start, end - start));
                ++taken;
            }
            start = end + 1;
        }
        pending.erase(0, start);
        if (pending.size() > kMaxEnvelopeBytes) {
            spdlog::warn("{}: a client sent a line of over {} bytes; cut off", path_, kMaxEnvelopeBytes);
            return;
        }
    }
    if (!pending.empty()) {
        on_envelope_(pending);
        ++taken;
    }
    const auto answer = "ok " + std::to_string(taken) + "\n";
    [[maybe_unused]] const auto sent = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
}

EnvelopesSent send_envelopes(const std::string& path, const std::vector<std::string>& envelopes,
                             std::chrono::milliseconds timeout) {
    using Outcome = EnvelopesSent::Outcome;
    sockaddr_un address{};
    try {
        address = address_of(path);
    } catch (const std::exception& e) {
        return {Outcome::failed, 0, e.what()};
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {Outcome::failed, 0, "socket: " + error_text(errno)};
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    const timeval limit{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        if (error == ENOENT || error == ECONNREFUSED)
            return {Outcome::not_running, 0, "no flowd listens on " + path};
        return {Outcome::failed, 0, "cannot connect to " + path + ": " + error_text(error)};
    }
    std::string text;
    for (const auto& envelope : envelopes) text.append(envelope).append(1, '\n');
    for (std::size_t at = 0; at < text.size();) {
        const auto sent = ::send(fd, text.data() + at, text.size() - at, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return {Outcome::failed, 0, "writing to " + path + ": " + error_text(errno)};
        }
        at += static_cast<std::size_t>(sent);
    }
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[64];
    for (;;) {
        const auto got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return {Outcome::failed, 0, "no answer from flowd on " + path + ": " + error_text(errno)};
        if (got == 0) break;
        answer.append(buffer, static_cast<std::size_t>(got));
        if (answer.size() > 64) break;
    }
    if (!answer.starts_with("ok ")) return {Outcome::failed, 0, "flowd on " + path + " did not take the deliveries"};
    return {Outcome::delivered, static_cast<std::size_t>(std::strtoull(answer.c_str() + 3, nullptr, 10)), {}};
}

}  // namespace flow
