#include "media/thumbnail/thumbnail_child.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vips/vips.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "domain/media.hpp"

namespace flow {

namespace {

void set_limit(int resource, rlim_t soft, rlim_t hard) {
    const rlimit limit{soft, hard};
    ::setrlimit(resource, &limit);
}

// Before anything is read: whatever the file does to a decoder stays within these.
void limit_this_process() {
    set_limit(RLIMIT_CPU, kChildCpuSeconds, kChildCpuSeconds + 1);  // SIGXCPU, then SIGKILL
    set_limit(RLIMIT_FSIZE, 0, 0);                                  // it writes to its pipes only
    set_limit(RLIMIT_CORE, 0, 0);                                   // no dump of users' media
    set_limit(RLIMIT_NOFILE, 64, 64);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // (A sanitizer's shadow memory alone is terabytes of address space.)
    set_limit(RLIMIT_AS, kChildMemoryBytes, kChildMemoryBytes);
#endif
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

int undecodable(const char* what) {
    std::fprintf(stderr, "%s: %s\n", what, vips_error_buffer());
    return kChildUndecodable;
}

// Unreferences a VipsImage when it goes.
struct ImageRef {
    VipsImage* image = nullptr;
    ~ImageRef() {
        if (image) g_object_unref(image);
    }
    ImageRef() = default;
    ImageRef(const ImageRef&) = delete;
    ImageRef& operator=(const ImageRef&) = delete;
};

// The loaders of what phones and browsers send; every other one (TIFF, SVG, PDF,
// ImageMagick's dozens...) is blocked, which is most of libvips' attack surface.
void allow_only_common_loaders() {
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const char* loader : {"VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp",
                               "VipsForeignLoadNsgif", "VipsForeignLoadHeif"})
        vips_operation_block_set(loader, FALSE);
}

int make_image_thumbnail(const char* argv0) {
    // No ORC: its JIT writes code to a file (which RLIMIT_FSIZE forbids) and runs it.
    ::setenv("VIPS_NOVECTOR", "1", 1);
    if (VIPS_INIT(argv0) != 0) {
        std::fprintf(stderr, "libvips would not start: %s\n", vips_error_buffer());
        return kChildBroken;
    }
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    allow_only_common_loaders();

    VipsSource* source = vips_source_new_from_descriptor(0);
    if (!source) return undecodable("input");
    // The header first: a small file may claim a huge canvas.
    {
        ImageRef header;
        header.image = vips_image_new_from_source(source, "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
        if (!header.image) return undecodable("load");
        const auto pixels = std::uint64_t(vips_image_get_width(header.image)) *
                            std::uint64_t(vips_image_get_height(header.image));
        if (pixels > kChildMaxPixels) {
            std::fprintf(stderr, "too many pixels: %llu\n", static_cast<unsigned long long>(pixels));
            return kChildUndecodable;
        }
    }
    // Shrink-on-load where the format has it (JPEG, WebP, HEIF); EXIF orientation applied.
    ImageRef thumbnail, rgb, flat;
    if (vips_thumbnail_source(source, &thumbnail.image, kThumbnailSide, "height", kThumbnailSide, "size",
                              VIPS_SIZE_DOWN, nullptr) != 0)
        return undecodable("thumbnail");
    if (vips_colourspace(thumbnail.image, &rgb.image, VIPS_INTERPRETATION_sRGB, nullptr) != 0)
        return undecodable("colourspace");
    VipsImage* out = rgb.image;
    if (vips_image_hasalpha(out)) {  // JPEG has no alpha: transparency becomes white
        double white[] = {255, 255, 255};
        VipsArrayDouble* background = vips_array_double_new(white, 3);
        const int failed = vips_flatten(out, &flat.image, "background", background, nullptr);
        vips_area_unref(VIPS_AREA(background));
        if (failed != 0) return undecodable("flatten");
        out = flat.image;
    }
    void* jpeg = nullptr;
    std::size_t size = 0;
    // No metadata: a photo's EXIF may say where it was taken.
    if (vips_jpegsave_buffer(out, &jpeg, &size, "Q", 80, "strip", TRUE, "optimize_coding", TRUE, nullptr) != 0)
        return undecodable("jpegsave");
    const bool written = write_all(1, static_cast<const char*>(jpeg), size);
    g_free(jpeg);
    g_object_unref(source);
    return written ? 0 : kChildBroken;
}

// Becomes ffmpeg, reading only the file it is given (no other protocol, so no playlist
// or reference can reach the network or another file) as the demuxer the parent chose
// from the sniffed type, and writing the first frame, scaled down, as a JPEG.
int make_video_poster(const char* ffmpeg, const char* demuxer) {
    const std::string side = std::to_string(kThumbnailSide);
    const std::string scale = "scale=w='min(" + side + ",iw)':h='min(" + side +
                              ",ih)':force_original_aspect_ratio=decrease";
    const std::string max_pixels = std::to_string(kChildMaxPixels);
    ::execl(ffmpeg, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1", "-filter_threads",
            "1", "-protocol_whitelist", "file", "-f", demuxer, "-max_pixels", max_pixels.c_str(), "-i",
            "file:/dev/stdin", "-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn", "-vf", scale.c_str(),
            "-map_metadata", "-1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "pipe:1",
            static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec %s: %s\n", ffmpeg, std::strerror(errno));
    return kChildExecFailed;
}

}  // namespace

int run_thumbnail_child(int argc, char** argv) {
    limit_this_process();
    const std::string_view kind = argc > 2 ? argv[2] : "";
    if (kind == "image" && argc == 3) return make_image_thumbnail(argv[0]);
    if (kind == "video" && argc == 5) return make_video_poster(argv[3], argv[4]);
    std::fprintf(stderr, "usage: flowd %s image | video FFMPEG DEMUXER\n", kThumbnailChildCommand.data());
    return kChildBroken;
}

}  // namespace flow
