#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace flow::wire {

// Reads the fields of a JSON object (a request body, a socket event's data), remembering the first problem so a handler can
// read every field and then check once:
//
//     JsonReader in(request.body);
//     auto phone = in.string("phone");
//     auto device = in.optional_string("device");
//     if (auto error = in.error()) return Response::error(*error);
//
// Problems: `invalid_json` (not a JSON object, or not UTF-8), `invalid_text` (a string or
// key that holds NUL, which `\u0000` gives), `missing_field`, `invalid_field` (wrong
// type), `too_long` (over a given length in characters). A failed read gives an empty
// value. Not thread-safe; one per request.
class JsonReader {
public:
    // Parses `text` (a request body); anything but a JSON object in UTF-8 is
    // `invalid_json`, and a string or key anywhere in it that is not valid text (see
    // wire/text_check.hpp) is `invalid_text`.
    explicit JsonReader(std::string_view text);
    // Reads an already parsed value; anything but an object is `invalid_json`. Its text is
    // not checked again: the transport that parsed it did (the socket Gateway).
    explicit JsonReader(const boost::json::value& value);

    std::string string(std::string_view name, std::size_t max_length = 0);
    std::optional<std::string> optional_string(std::string_view name, std::size_t max_length = 0);
    // Absent: nullopt; `null`: an empty inner optional; a string: that string.
    std::optional<std::optional<std::string>> nullable_string(std::string_view name,
                                                              std::size_t max_length = 0);
    std::vector<std::string> string_array(std::string_view name);
    bool boolean(std::string_view name);
    std::optional<bool> optional_boolean(std::string_view name);
    std::int64_t integer(std::string_view name);
    // A field as it is, or null when absent.
    const boost::json::value* optional_field(std::string_view name) { return field(name, false); }
    // A field of any JSON type, as compact JSON text; `too_long` above `max_bytes`.
    std::string json_text(std::string_view name, std::size_t max_bytes);

    const std::optional<Error>& error() const { return error_; }

private:
    const boost::json::value* field(std::string_view name, bool required);
    std::string text_of(std::string_view name, const boost::json::value& value,
                        std::size_t max_length);
    void fail(std::string code, std::string message);

    boost::json::object object_;
    std::optional<Error> error_;
};

}  // namespace flow::wire
