#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/request.hpp"

namespace flow::http {

// Reads query parameters, remembering the first problem (`invalid_query`), as JsonReader
// does for bodies.
class QueryReader {
public:
    explicit QueryReader(const Request& request) : request_(request) {}

    // An integer in [min, max]; nullopt when absent (or invalid, with the error kept).
    std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max);
    std::optional<std::string> text(std::string_view name);
    // `true` or `false`; nullopt when absent (or invalid, with the error kept).
    std::optional<bool> boolean(std::string_view name);
    // The page size: `limit`, 1 to 200, 50 when absent.
    int limit();

    const std::optional<Error>& error() const { return error_; }

private:
    const Request& request_;
    std::optional<Error> error_;
};

}  // namespace flow::http
