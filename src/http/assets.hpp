#pragma once

#include <string_view>

// Files built into the binary (see assets.S.in), so /docs works with no network and no
// install step: the OpenAPI and AsyncAPI documents, the docs page with the script and
// stylesheet of its renderers (Swagger UI and AsyncAPI's React component), and the web app
// (its page and its script); esbuild bundled the scripts from webapp/ at build time.
namespace flow::http::assets {

std::string_view openapi_json();
std::string_view asyncapi_yaml();
std::string_view docs_html();
std::string_view docs_js();
std::string_view docs_css();
std::string_view webapp_html();
std::string_view webapp_js();

}  // namespace flow::http::assets
