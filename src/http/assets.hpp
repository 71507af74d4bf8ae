#pragma once

#include <string_view>

// Files built into the binary (see assets.S.in), so /docs works with no network and no
// install step: the OpenAPI document, the docs page, Debian's Swagger UI, and the web app
// (its page and the script that esbuild bundled from webapp/ at build time).
namespace flow::http::assets {

std::string_view openapi_json();
std::string_view docs_html();
std::string_view swagger_ui_css();
std::string_view swagger_ui_bundle_js();
std::string_view webapp_html();
std::string_view webapp_js();

}  // namespace flow::http::assets
