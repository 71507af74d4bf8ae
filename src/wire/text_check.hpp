#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace flow::wire {

// Where the first string or object key in `value` that is not valid text (see
// is_valid_text: UTF-8 without NUL) sits, as a path like `name`, `user_ids[2]` or
// `payload.sdp` ("" for `value` itself); nullopt when every one is valid.
std::optional<std::string> find_invalid_text(const boost::json::value& value);

// The `invalid_text` error (400) a transport answers for text that is not valid UTF-8
// or holds NUL; `where` names the part (a field path, "the path", a query parameter).
Error invalid_text(std::string_view where);

// find_invalid_text as an error, for JSON that came from outside.
std::optional<Error> check_text(const boost::json::value& value);

}  // namespace flow::wire
