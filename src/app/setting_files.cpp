#include "app/setting_files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace flow::app {

std::string apply_setting_files(CLI::App& cli) {
    for (CLI::Option* option : cli.get_options()) {
        const std::string variable = option->get_envname();
        if (variable.empty()) continue;
        const std::string file_variable = variable + "_FILE";
        const char* path = std::getenv(file_variable.c_str());
        if (!path) continue;
        if (std::getenv(variable.c_str()))
            return fmt::format("{} and {} are both set: give one of them", variable, file_variable);
        if (option->count() > 0) continue;  // given on the command line
        std::ifstream file(path, std::ios::binary);
        if (!file) return fmt::format("{}: cannot read {}: {}", file_variable, path, std::strerror(errno));
        std::string value{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
        try {
            option->add_result(std::move(value));
            option->run_callback();
        } catch (const CLI::Error& e) {
            return fmt::format("{} (from {}): {}", option->get_name(), file_variable, e.what());
        }
    }
    return {};
}

}  // namespace flow::app
