#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flow {

// A phone number in international notation ("+44 20 7946 0958", "0049 (30) 123-4567")
// as E.164 ("+442079460958"), or nullopt when it is not one that Google's libphonenumber
// judges valid. Thread-safe.
std::optional<std::string> normalize_phone(std::string_view input);

}  // namespace flow
