#include "http/assets.hpp"

// Start and end of each file, defined by assets.S.
#define FLOW_ASSET(name)                                                  \
    extern "C" const char flow_asset_##name##_begin[];                    \
    extern "C" const char flow_asset_##name##_end[];                      \
    std::string_view name() {                                             \
        return {flow_asset_##name##_begin,                                \
                static_cast<std::size_t>(flow_asset_##name##_end - flow_asset_##name##_begin)}; \
    }

namespace flow::http::assets {

FLOW_ASSET(openapi_json)
FLOW_ASSET(asyncapi_yaml)
FLOW_ASSET(docs_html)
FLOW_ASSET(docs_js)
FLOW_ASSET(docs_css)
FLOW_ASSET(webapp_html)
FLOW_ASSET(webapp_js)

}  // namespace flow::http::assets
