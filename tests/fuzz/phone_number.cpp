// Phone numbers as sign-in takes them (libphonenumber behind our own first pass). What
// normalizes is E.164, and normalizing it again gives it back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/phone_number.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto e164 = flow::normalize_phone(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!e164) return 0;
    if (!e164->starts_with('+') || e164->size() > 16) std::abort();
    if (flow::normalize_phone(*e164) != e164) std::abort();
    return 0;
}
