#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/auth_service.hpp"

namespace flow::http {

// One HTTP request as a handler sees it, free of the server library's types. The server
// fills it; the router adds the path parameters and, on routes that need it, the caller.
struct Request {
    std::string method;  // "GET", "POST", ...
    std::string path;    // percent-decoded, without the query
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
    std::string body;
    std::string client_address;

    std::map<std::string, std::string, std::less<>> params;  // from the route's {names}
    std::optional<Caller> caller;                           // on signed-in routes

    // The first header of that (lowercase) name, or "".
    std::string_view header(std::string_view name) const {
        for (const auto& [key, value] : headers)
            if (key == name) return value;
        return {};
    }
    const std::string& param(std::string_view name) const { return params.find(name)->second; }
    // The first query parameter of that name.
    std::optional<std::string_view> query_param(std::string_view name) const {
        for (const auto& [key, value] : query)
            if (key == name) return value;
        return std::nullopt;
    }
    // The signed-in caller; only on routes registered as signed-in.
    const Caller& who() const { return *caller; }
};

}  // namespace flow::http
