#include "media/content_sniffer.hpp"

#include <magic.h>

#include <memory>
#include <regex>
#include <stdexcept>

namespace flow {

namespace {

struct MagicCloser {
    void operator()(magic_set* cookie) const { magic_close(cookie); }
};
using Magic = std::unique_ptr<magic_set, MagicCloser>;

Magic open_magic(int flags) {
    Magic cookie(magic_open(flags));
    if (!cookie || magic_load(cookie.get(), nullptr) != 0)
        throw std::runtime_error("libmagic cannot load its database");
    return cookie;
}

// libmagic's description, e.g. "PNG image data, 640 x 480, 8-bit/color RGBA": copied, as
// the next call on the same handle overwrites it.
std::string describe(magic_set* cookie, std::string_view head) {
    const char* text = magic_buffer(cookie, head.data(), head.size());
    return text ? std::string(text) : std::string();
}

}  // namespace

SniffedContent sniff_content(std::string_view head) {
    thread_local Magic mime_cookie = open_magic(MAGIC_MIME_TYPE);
    thread_local Magic text_cookie = open_magic(MAGIC_NONE);
    SniffedContent content{describe(mime_cookie.get(), head), std::nullopt, std::nullopt};
    if (content.mime.empty()) content.mime = "application/octet-stream";
    if (content.mime.starts_with("image/")) {
        // PNG, GIF, JPEG and WebP descriptions carry "W x H" or "WxH".
        static const std::regex kSize(R"((\d{1,5}) ?x ?(\d{1,5}))");
        const auto description = describe(text_cookie.get(), head);
        std::smatch match;
        if (std::regex_search(description, match, kSize)) {
            content.width = std::stoi(match[1]);
            content.height = std::stoi(match[2]);
        }
    }
    return content;
}

}  // namespace flow
