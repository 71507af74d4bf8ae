#include "media/fs/fs_media_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <utility>

#include "media/media_key.hpp"

namespace flow {
namespace fs = std::filesystem;
namespace {

constexpr const char* kIncoming = ".incoming";
constexpr auto kStalePartAge = std::chrono::hours(24);

[[noreturn]] void fail(std::string_view what, const fs::path& path, int error = errno) {
    throw MediaStoreError("media: " + std::string(what) + ' ' + path.string() + ": " +
                          std::strerror(error));
}

// Closes a file descriptor on every path out.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    }

private:
    int fd_;
};

void fsync_dir(const fs::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail("open", dir);
    if (::fsync(fd.get()) != 0) fail("fsync", dir);
}

std::string random_name() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string name;
    for (std::uint64_t bits = random(), i = 0; i < 16; ++i, bits >>= 4) name += kDigits[bits & 0xf];
    return name;
}

// A new, empty, exclusively created file in `dir`, named at random with `suffix`.
std::pair<Fd, fs::path> create_unique(const fs::path& dir, std::string_view suffix) {
    for (int attempt = 0;; ++attempt) {
        fs::path path = dir / (random_name() + std::string(suffix));
        Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (fd.get() >= 0) return {std::move(fd), std::move(path)};
        if (errno != EEXIST || attempt == 8) fail("create", path);
    }
}

// Writes the part file; see FsMediaStore. Used by one thread at a time.
class FsWriter final : public MediaStore::Writer {
public:
    FsWriter(fs::path object_path, std::pair<Fd, fs::path> part)
        : object_path_(std::move(object_path)),
          fd_(std::move(part.first)),
          part_path_(std::move(part.second)) {}

    ~FsWriter() override {
        if (!committed_) ::unlink(part_path_.c_str());
    }

    void write(std::string_view bytes) override {
        check_open();
        while (!bytes.empty()) {
            const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("write", part_path_);
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    void commit() override {
        check_open();
        // The data reaches the disk before the name does, and the name before we answer.
        if (::fsync(fd_.get()) != 0) fail("fsync", part_path_);
        fd_.reset();
        const fs::path dir = object_path_.parent_path();
        if (::mkdir(dir.c_str(), 0700) == 0) {
            fsync_dir(dir.parent_path());
        } else if (errno != EEXIST) {
            fail("mkdir", dir);
        }
        if (::rename(part_path_.c_str(), object_path_.c_str()) != 0) fail("rename", part_path_);
        committed_ = true;
        fsync_dir(dir);
    }

private:
    void check_open() const {
        if (committed_ || fd_.get() < 0)
            throw MediaStoreError("media: " + object_path_.string() +
                                  " is committed (or its commit failed)");
    }

    fs::path object_path_;
    Fd fd_;
    fs::path part_path_;
    bool committed_ = false;
};

// Part files a crashed process left behind; young ones may still be being written.
void remove_stale_parts(const fs::path& incoming) {
    std::error_code ec;
    const auto cutoff = fs::file_time_type::clock::now() - kStalePartAge;
    for (const auto& entry : fs::directory_iterator(incoming, ec)) {
        if (entry.path().extension() == ".part" && entry.last_write_time(ec) < cutoff)
            fs::remove(entry.path(), ec);
    }
}

}  // namespace

FsMediaStore::FsMediaStore(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_ / kIncoming, ec);
    if (ec) fail("create", dir_ / kIncoming, ec.value());
    remove_stale_parts(dir_ / kIncoming);
}

fs::path FsMediaStore::object_path(const std::string& key) const {
    return dir_ / key.substr(0, 2) / key;
}

std::unique_ptr<MediaStore::Writer> FsMediaStore::create(const std::string& key) {
    check_media_key(key);
    return std::make_unique<FsWriter>(object_path(key), create_unique(dir_ / kIncoming, ".part"));
}

std::string FsMediaStore::read(const std::string& key, std::uint64_t offset,
                               std::uint64_t length) {
    check_media_key(key);
    const fs::path path = object_path(key);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 && errno == ENOENT) throw MediaNotFoundError("media: no object " + key);
    if (fd.get() < 0) fail("open", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("stat", path);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset >= size) return {};
    std::string out(static_cast<std::size_t>(std::min(length, size - offset)), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(fd.get(), out.data() + done, out.size() - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", path);
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return out;
}

void FsMediaStore::remove(const std::string& key) {
    check_media_key(key);
    const fs::path path = object_path(key);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return;
        fail("unlink", path);
    }
    fsync_dir(path.parent_path());
}

bool FsMediaStore::ping() {
    try {
        const auto [fd, path] = create_unique(dir_ / kIncoming, ".ping");
        ::unlink(path.c_str());
        return true;
    } catch (const MediaStoreError&) {
        return false;
    }
}

}  // namespace flow
