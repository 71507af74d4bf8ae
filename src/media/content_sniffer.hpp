#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flow {

// What the first bytes of a file say it is, by libmagic: the mime type, and for images
// the size that libmagic reads from the header.
struct SniffedContent {
    std::string mime;
    std::optional<int> width;
    std::optional<int> height;
};

// The bytes at the head of a file (the first 64 KiB is plenty) judged by libmagic.
// Thread-safe (one libmagic handle per thread).
SniffedContent sniff_content(std::string_view head);

}  // namespace flow
