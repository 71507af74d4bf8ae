#pragma once

#include "app/config.hpp"

namespace flow::app {

// Runs flowd with a parsed config until SIGINT or SIGTERM; returns the exit code.
int run_server(const Config& config);

}  // namespace flow::app
