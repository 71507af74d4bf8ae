#include "http/query_reader.hpp"

#include <charconv>

namespace flow::http {

std::optional<std::int64_t> QueryReader::integer(std::string_view name, std::int64_t min,
                                                 std::int64_t max) {
    const auto text = request_.query_param(name);
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
        if (!error_)
            error_ = Error::invalid("invalid_query", std::string(name) + " must be an integer from " +
                                                         std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> QueryReader::text(std::string_view name) {
    const auto value = request_.query_param(name);
    if (!value) return std::nullopt;
    return std::string(*value);
}

std::optional<bool> QueryReader::boolean(std::string_view name) {
    const auto text = request_.query_param(name);
    if (!text) return std::nullopt;
    if (*text == "true") return true;
    if (*text == "false") return false;
    if (!error_) error_ = Error::invalid("invalid_query", std::string(name) + " must be true or false");
    return std::nullopt;
}

int QueryReader::limit() { return static_cast<int>(integer("limit", 1, 200).value_or(50)); }

}  // namespace flow::http
