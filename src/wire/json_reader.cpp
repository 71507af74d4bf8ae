#include "wire/json_reader.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/utf8.hpp"
#include "wire/text_check.hpp"

namespace flow::wire {

JsonReader::JsonReader(const boost::json::value& value) {
    if (!value.is_object()) {
        fail("invalid_json", "the data must be a JSON object");
        return;
    }
    object_ = value.as_object();
}

JsonReader::JsonReader(std::string_view text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) {
        // JSON is UTF-8: the parser refuses other bytes, saying no more than "syntax error".
        fail("invalid_json", !ec                     ? "the body must be a JSON object"
                             : !is_valid_text(text) ? "the body is not valid JSON: it is not UTF-8"
                                                    : "the body is not valid JSON: " + ec.message());
        return;
    }
    // `\u0000` parses to a NUL, which PostgreSQL cannot store: refused here, for every
    // field at once, rather than by each handler.
    error_ = check_text(value);
    object_ = std::move(value.as_object());
}

void JsonReader::fail(std::string code, std::string message) {
    if (!error_) error_ = Error::invalid(std::move(code), std::move(message));
}

const boost::json::value* JsonReader::field(std::string_view name, bool required) {
    if (error_) return nullptr;
    const auto* value = object_.if_contains(name);
    if (!value && required) fail("missing_field", std::string(name) + " is required");
    return value;
}

std::string JsonReader::text_of(std::string_view name, const boost::json::value& value,
                                std::size_t max_length) {
    if (!value.is_string()) {
        fail("invalid_field", std::string(name) + " must be a string");
        return {};
    }
    std::string text(value.as_string());
    if (max_length != 0 && utf8_length(text) > max_length) {
        fail("too_long", std::string(name) + " is longer than " + std::to_string(max_length) +
                             " characters");
        return {};
    }
    return text;
}

std::string JsonReader::string(std::string_view name, std::size_t max_length) {
    const auto* value = field(name, true);
    return value ? text_of(name, *value, max_length) : std::string();
}

std::optional<std::string> JsonReader::optional_string(std::string_view name,
                                                       std::size_t max_length) {
    const auto* value = field(name, false);
    if (!value || value->is_null()) return std::nullopt;
    return text_of(name, *value, max_length);
}

std::optional<std::optional<std::string>> JsonReader::nullable_string(std::string_view name,
                                                                      std::size_t max_length) {
    const auto* value = field(name, false);
    if (!value) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>();
    return std::optional<std::string>(text_of(name, *value, max_length));
}

std::vector<std::string> JsonReader::string_array(std::string_view name) {
    std::vector<std::string> items;
    const auto* value = field(name, true);
    if (!value) return items;
    if (!value->is_array()) {
        fail("invalid_field", std::string(name) + " must be an array of strings");
        return items;
    }
    for (const auto& item : value->as_array()) {
        if (!item.is_string()) {
            fail("invalid_field", std::string(name) + " must be an array of strings");
            return {};
        }
        items.emplace_back(item.as_string());
    }
    return items;
}

bool JsonReader::boolean(std::string_view name) {
    const auto* value = field(name, true);
    if (!value) return false;
    if (!value->is_bool()) fail("invalid_field", std::string(name) + " must be true or false");
    return value->is_bool() && value->as_bool();
}

std::optional<bool> JsonReader::optional_boolean(std::string_view name) {
    const auto* value = field(name, false);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_bool()) {
        fail("invalid_field", std::string(name) + " must be true or false");
        return std::nullopt;
    }
    return value->as_bool();
}

std::int64_t JsonReader::integer(std::string_view name) {
    const auto* value = field(name, true);
    if (!value) return 0;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64() && value->as_uint64() <= INT64_MAX) return static_cast<std::int64_t>(value->as_uint64());
    fail("invalid_field", std::string(name) + " must be an integer");
    return 0;
}

std::string JsonReader::json_text(std::string_view name, std::size_t max_bytes) {
    const auto* value = field(name, true);
    if (!value) return {};
    auto text = boost::json::serialize(*value);
    if (text.size() > max_bytes) {
        fail("too_long", std::string(name) + " is larger than " + std::to_string(max_bytes) + " bytes");
        return {};
    }
    return text;
}

}  // namespace flow::wire
