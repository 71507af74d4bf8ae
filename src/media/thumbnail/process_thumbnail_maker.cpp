#include "media/thumbnail/process_thumbnail_maker.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "media/thumbnail/thumbnail_child.hpp"

namespace flow {

namespace {

// The ffmpeg demuxer for each video type libmagic names; others get no poster. Naming it
// keeps ffmpeg from probing its way into a playlist or a format nobody sends.
std::optional<std::string_view> demuxer_for(std::string_view mime) {
    static constexpr std::pair<std::string_view, std::string_view> kDemuxers[] = {
        {"video/mp4", "mov"},           {"video/quicktime", "mov"},  {"video/3gpp", "mov"},
        {"video/3gpp2", "mov"},         {"video/x-m4v", "mov"},      {"video/webm", "matroska"},
        {"video/x-matroska", "matroska"}, {"video/x-msvideo", "avi"}, {"video/mpeg", "mpeg"},
        {"video/mp2t", "mpegts"},       {"video/x-flv", "flv"},      {"video/ogg", "ogg"},
    };
    for (const auto& [type, demuxer] : kDemuxers)
        if (mime == type) return demuxer;
    return std::nullopt;
}

// The image types the child's libvips may load (thumbnail_child.cpp allows the same
// loaders): what phones and browsers send.
bool is_common_image(std::string_view mime) {
    for (std::string_view type : {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif",
                                  "image/avif"})
        if (mime == type) return true;
    return false;
}

// A file with no name: unlinked as soon as it is made, gone when closed.
class AnonymousFile {
public:
    explicit AnonymousFile(const std::filesystem::path& dir) {
        std::string path = (dir / "flow-thumbnail-XXXXXX").string();
        fd_ = ::mkostemp(path.data(), O_CLOEXEC);
        if (fd_ >= 0) ::unlink(path.c_str());
    }
    ~AnonymousFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    AnonymousFile(const AnonymousFile&) = delete;
    AnonymousFile& operator=(const AnonymousFile&) = delete;
    int fd() const { return fd_; }

    bool write_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

private:
    int fd_ = -1;
};

// What a child's JPEG must look like: start of image, end of image, and not empty.
bool looks_like_jpeg(std::string_view bytes) {
    return bytes.size() > 4 && bytes.starts_with("\xFF\xD8\xFF") && bytes.ends_with("\xFF\xD9");
}

MadeThumbnail outcome(MadeThumbnail::Outcome outcome, std::string detail) {
    return {outcome, {}, std::move(detail)};
}

}  // namespace

ProcessThumbnailMaker::ProcessThumbnailMaker(std::string self, std::string ffmpeg, std::filesystem::path temp_dir,
                                             ChildLimits limits)
    : self_(std::move(self)),
      ffmpeg_(std::move(ffmpeg)),
      temp_dir_(std::move(temp_dir)),
      limits_(limits),
      cancel_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ProcessThumbnailMaker::~ProcessThumbnailMaker() {
    if (cancel_fd_ >= 0) ::close(cancel_fd_);
}

bool ProcessThumbnailMaker::can_make(std::string_view mime) const {
    if (is_common_image(mime)) return true;
    return !ffmpeg_.empty() && demuxer_for(mime).has_value();
}

void ProcessThumbnailMaker::cancel() {
    const std::uint64_t one = 1;
    // A write that fails found the counter full: readable already.
    if (cancel_fd_ >= 0 && ::write(cancel_fd_, &one, sizeof one) < 0) return;
}

MadeThumbnail ProcessThumbnailMaker::make(std::string_view mime, const ByteSource& bytes) {
    using Outcome = MadeThumbnail::Outcome;
    const std::string command(kThumbnailChildCommand);
    std::vector<std::string> argv;
    if (is_common_image(mime)) {
        argv = {self_, command, "image"};
    } else if (const auto demuxer = demuxer_for(mime); demuxer && !ffmpeg_.empty()) {
        argv = {self_, command, "video", ffmpeg_, std::string(*demuxer)};
    } else {
        return outcome(Outcome::impossible, "no thumbnail is made of " + std::string(mime));
    }

    const auto no_file = [&] {
        return outcome(Outcome::failed, "temporary file in " + temp_dir_.string() + ": " + std::strerror(errno));
    };
    AnonymousFile input(temp_dir_);
    if (input.fd() < 0) return no_file();
    for (std::uint64_t offset = 0;;) {
        const std::string chunk = bytes(offset);
        if (chunk.empty()) break;
        if (!input.write_all(chunk)) return no_file();
        offset += chunk.size();
    }
    if (::lseek(input.fd(), 0, SEEK_SET) != 0) return no_file();

    ChildResult child = run_child(argv, input.fd(), limits_, cancel_fd_);
    const std::string how = argv[2] + " child: " + describe(child) + (child.errors.empty() ? "" : ": ") +
                            child.errors.substr(0, child.errors.find('\n'));
    switch (child.end) {
        case ChildResult::End::not_started:
        case ChildResult::End::cancelled:
            return outcome(Outcome::failed, how);
        case ChildResult::End::exited:
            if (child.code == kChildBroken || child.code == kChildExecFailed) return outcome(Outcome::failed, how);
            if (child.code == 0 && looks_like_jpeg(child.output)) return {Outcome::made, std::move(child.output), {}};
            if (child.code == 0) return outcome(Outcome::impossible, argv[2] + " child: its output is no JPEG");
            return outcome(Outcome::impossible, how);
        default:  // killed by a signal, the clock or the output cap: the file is hostile or broken
            return outcome(Outcome::impossible, how);
    }
}

std::string find_executable(const std::string& program) {
    if (program.empty()) return {};
    auto usable = [](const std::filesystem::path& path) {
        std::error_code ec;
        return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
    };
    if (program.find('/') != std::string::npos)
        return usable(program) ? std::filesystem::absolute(program).string() : std::string();
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
        if (dir.empty()) continue;
        const auto candidate = std::filesystem::path(dir) / program;
        if (usable(candidate)) return candidate.string();
    }
    return {};
}

}  // namespace flow
