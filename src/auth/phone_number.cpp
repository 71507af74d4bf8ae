#include "auth/phone_number.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace flow {

namespace {

// The digits of an international number with its separators removed, or nullopt when
// it holds anything else or does not start with `+` or `00`.
std::optional<std::string> international_digits(std::string_view input) {
    std::string out;
    for (char c : input) {
        if (c >= '0' && c <= '9') out.push_back(c);
        else if (c == '+' && out.empty()) out.push_back(c);
        else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') return std::nullopt;
    }
    if (out.starts_with("00")) out.replace(0, 2, "+");
    if (!out.starts_with("+") || out.size() < 3 || out.size() > 18) return std::nullopt;
    return out;
}

}  // namespace

std::optional<std::string> normalize_phone(std::string_view input) {
    if (input.size() > 64) return std::nullopt;
    auto digits = international_digits(input);
    if (!digits) return std::nullopt;

    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(*digits, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
    if (!util.IsValidNumber(number)) return std::nullopt;
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    // E.164 allows 15 digits at most; libphonenumber takes some longer German numbers.
    if (e164.size() > 1 + 15) return std::nullopt;
    return e164;
}

}  // namespace flow
