// flowd: the Flow messaging server. Reads its settings and hands over to app/.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "app/config.hpp"
#include "app/server_main.hpp"
#include "media/thumbnail/thumbnail_child.hpp"

int main(int argc, char** argv) {
    // flowd runs itself as the child that decodes an upload for its thumbnail; _exit, as
    // nothing of the server's exit (nor a sanitizer's leak check) applies to it.
    if (argc > 1 && std::string_view(argv[1]) == flow::kThumbnailChildCommand) {
        const int status = flow::run_thumbnail_child(argc, argv);
        std::fflush(nullptr);
        ::_exit(status);
    }
    auto parsed = flow::app::parse_config(argc, argv);
    if (!parsed.config) return parsed.exit_code;
    try {
        return flow::app::run_server(*parsed.config);
    } catch (const std::exception& e) {
        spdlog::critical("flowd cannot start: {}", e.what());
        return 1;
    }
}
