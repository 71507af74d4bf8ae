#include "common/build_info.hpp"

namespace flow {

const BuildInfo& build_info() {
    static constexpr BuildInfo kInfo{FLOW_VERSION, FLOW_COMMIT, FLOW_BUILD_TYPE};
    return kInfo;
}

}  // namespace flow
