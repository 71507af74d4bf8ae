#include "wire/text_check.hpp"

#include "common/utf8.hpp"

namespace flow::wire {

namespace {

// Appends to `path`, on the way back up, the steps to the first invalid string below
// `value`. Recursion is bounded by the parser's depth limit (32 by default).
bool find(const boost::json::value& value, std::string& path) {
    if (const auto* text = value.if_string()) return !is_valid_text(*text);
    if (const auto* array = value.if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            std::string below;
            if (find((*array)[i], below)) {
                path = "[" + std::to_string(i) + "]" + (below.empty() || below.front() == '[' ? "" : ".") + below;
                return true;
            }
        }
        return false;
    }
    if (const auto* object = value.if_object()) {
        for (const auto& [key, item] : *object) {
            if (!is_valid_text(key)) {
                path = "(a key)";
                return true;
            }
            std::string below;
            if (find(item, below)) {
                path = (key.size() <= 64 ? std::string(key) : std::string("(a long key)")) + (below.empty() || below.front() == '[' ? "" : ".") + below;
                return true;
            }
        }
    }
    return false;
}

}  // namespace

std::optional<std::string> find_invalid_text(const boost::json::value& value) {
    std::string path;
    if (find(value, path)) return path;
    return std::nullopt;
}

Error invalid_text(std::string_view where) {
    return Error::invalid("invalid_text", std::string(where.empty() ? "the text" : where) +
                                              " must be valid UTF-8 without NUL characters");
}

std::optional<Error> check_text(const boost::json::value& value) {
    if (auto where = find_invalid_text(value)) return invalid_text(*where);
    return std::nullopt;
}

}  // namespace flow::wire
