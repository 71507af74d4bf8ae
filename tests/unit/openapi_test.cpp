// The OpenAPI document served at /openapi.json must describe every route the server has
// (the router's and the media endpoint's), and no route it lacks.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <set>

#include "app/config.hpp"
#include "app/services.hpp"
#include "http/assets.hpp"

namespace flow {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheServerHas) {
    ASSERT_GE(sodium_init(), 0);
    const auto dir = std::filesystem::temp_directory_path() / ("flow-openapi-" + std::to_string(::getpid()));
    app::Config config;
    config.data_dir = dir.string();
    std::set<std::string> served;
    {
        app::Services services(config);
        const auto router = services.make_router();
        for (const auto& route : router->routes())
            served.insert(lower(route.method) + " " + route.pattern);
    }
    std::filesystem::remove_all(dir);

    const auto document = boost::json::parse(http::assets::openapi_json()).as_object();
    EXPECT_EQ(document.at("openapi"), "3.0.3");
    std::set<std::string> documented;
    for (const auto& [path, operations] : document.at("paths").as_object())
        for (const auto& [method, operation] : operations.as_object())
            if (method != "parameters") documented.insert(std::string(method) + " " + std::string(path));
    EXPECT_EQ(documented, served);
}

}  // namespace
}  // namespace flow
