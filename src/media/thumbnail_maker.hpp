#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace flow {

// What making one thumbnail came to.
struct MadeThumbnail {
    enum class Outcome {
        made,        // `jpeg` holds it
        impossible,  // the file does not decode (or not within the limits): it never will
        failed,      // the maker could not run (no process, cancelled): try again later
    };
    Outcome outcome = Outcome::failed;
    std::string jpeg;
    std::string detail;  // why not, for the log
};

// Makes thumbnails of untrusted files: a JPEG at most kThumbnailSide px on its longer
// side, of an image, or of a video's first frame. Blocking (it decodes, or waits for what
// does); thread-safe.
class ThumbnailMaker {
public:
    // The file's bytes from `offset` on, a chunk at a time; "" at its end.
    using ByteSource = std::function<std::string(std::uint64_t offset)>;

    virtual ~ThumbnailMaker() = default;
    // Whether it would try a file of this (sniffed) mime type at all: false when the
    // means are missing here (no ffmpeg for videos), so that another server may still.
    virtual bool can_make(std::string_view mime) const = 0;
    virtual MadeThumbnail make(std::string_view mime, const ByteSource& bytes) = 0;
    // Ends the makes under way (as `failed`) and any later ones; for shutdown.
    virtual void cancel() = 0;
};

}  // namespace flow
