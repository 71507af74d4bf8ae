// flowd: the Flow messaging server. Reads its settings and hands over to app/.
#include <spdlog/spdlog.h>

#include <exception>

#include "app/config.hpp"
#include "app/server_main.hpp"

int main(int argc, char** argv) {
    auto parsed = flow::app::parse_config(argc, argv);
    if (!parsed.config) return parsed.exit_code;
    try {
        return flow::app::run_server(*parsed.config);
    } catch (const std::exception& e) {
        spdlog::critical("flowd cannot start: {}", e.what());
        return 1;
    }
}
