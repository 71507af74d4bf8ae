#pragma once

#include <string_view>

namespace flow {

// Which flowd this is: the version, the commit it was built from, the CMake build type.
struct BuildInfo {
    std::string_view version;
    std::string_view commit;
    std::string_view build_type;
};

const BuildInfo& build_info();

}  // namespace flow
