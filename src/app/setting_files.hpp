#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace flow::app {

// After parsing: gives each option whose FLOW_X variable names a file in FLOW_X_FILE the
// file's content (its trailing newlines dropped), as Docker and Kubernetes mount secrets,
// checked like any other value. A flag on the command line wins over the file; FLOW_X
// and FLOW_X_FILE both set is a mistake. The value never enters the environment, which
// child processes inherit. Returns the problem, or "".
std::string apply_setting_files(CLI::App& cli);

}  // namespace flow::app
