#pragma once

#include <filesystem>
#include <string>

#include "media/thumbnail/child_process.hpp"
#include "media/thumbnail_maker.hpp"

namespace flow {

// Makes thumbnails in child processes (see thumbnail_child.hpp): flowd itself again for
// images (libvips), ffmpeg for videos. The file goes to the child through a temporary
// file that has no name (unlinked at once, so a crash leaves nothing behind); the JPEG
// comes back through a pipe, checked and capped. A child that fails to decode, crashes,
// runs past its limits or the timeout means the file has no thumbnail. Thread-safe.
class ProcessThumbnailMaker final : public ThumbnailMaker {
public:
    // `self`: the flowd binary ("/proc/self/exe"); `ffmpeg`: its path, or "" for no video
    // posters; `temp_dir`: where the files handed to children are written.
    ProcessThumbnailMaker(std::string self, std::string ffmpeg, std::filesystem::path temp_dir,
                          ChildLimits limits = {});
    ~ProcessThumbnailMaker() override;
    ProcessThumbnailMaker(const ProcessThumbnailMaker&) = delete;
    ProcessThumbnailMaker& operator=(const ProcessThumbnailMaker&) = delete;

    bool can_make(std::string_view mime) const override;
    MadeThumbnail make(std::string_view mime, const ByteSource& bytes) override;
    void cancel() override;

private:
    std::string self_;
    std::string ffmpeg_;
    std::filesystem::path temp_dir_;
    ChildLimits limits_;
    int cancel_fd_;  // an eventfd, readable once cancel() was called
};

// The absolute path of `program` (a path, or a name looked up on PATH) if it is an
// executable file; "" otherwise.
std::string find_executable(const std::string& program);

}  // namespace flow
