#pragma once

#include <cstdint>
#include <string_view>

namespace flow {

// The decoding of untrusted media happens in a child process, never in flowd: flowd runs
// itself again as `flowd thumbnail-child image` (libvips) or `flowd thumbnail-child video
// FFMPEG DEMUXER` (which becomes ffmpeg). The child takes the file as its standard input
// (a seekable file), writes the JPEG to its standard output, and first limits itself:
// CPU time, address space, no files written, no core dump, killed with its parent.
inline constexpr std::string_view kThumbnailChildCommand = "thumbnail-child";

// The limits a child sets on itself.
inline constexpr int kChildCpuSeconds = 20;
inline constexpr std::uint64_t kChildMemoryBytes = 1024ull * 1024 * 1024;
// An image with more pixels than this (16384 x 16384) gets no thumbnail: its header is
// checked before anything is decoded.
inline constexpr std::uint64_t kChildMaxPixels = 16384ull * 16384;

// Exit statuses of a child besides 0 (a JPEG written) and ffmpeg's own 1 (it failed).
inline constexpr int kChildUndecodable = 3;  // not an image libvips may read, or too large
inline constexpr int kChildBroken = 4;       // libvips would not start, or bad arguments
inline constexpr int kChildExecFailed = 127; // ffmpeg could not be run

// The child's main: argv[1] is kThumbnailChildCommand. Returns its exit status (when
// it does not exec ffmpeg).
int run_thumbnail_child(int argc, char** argv);

}  // namespace flow
