#include "wire/privacy_json.hpp"

#include "wire/json_reader.hpp"

namespace flow::wire {

boost::json::object to_json(const PrivacySettings& settings) {
    return {{"last_seen", to_string(settings.last_seen)},
            {"photo", to_string(settings.photo)},
            {"about", to_string(settings.about)},
            {"read_receipts", settings.read_receipts},
            {"groups_add", to_string(settings.groups_add)}};
}

Result<PrivacyChange> privacy_change_from(std::string_view body) {
    JsonReader in(body);
    PrivacyChange change;
    std::optional<Error> bad;
    const auto audience = [&](std::string_view name, const char* allowed) -> std::optional<Audience> {
        const auto text = in.optional_string(name);
        if (!text) return std::nullopt;
        auto parsed = audience_from(*text);
        if (!parsed && !bad) bad = Error::invalid("invalid_field", std::string(name) + " must be " + allowed);
        return parsed;
    };
    change.last_seen = audience("last_seen", "everyone, contacts or nobody");
    change.photo = audience("photo", "everyone, contacts or nobody");
    change.about = audience("about", "everyone, contacts or nobody");
    change.read_receipts = in.optional_boolean("read_receipts");
    change.groups_add = audience("groups_add", "everyone or contacts");
    if (in.error()) return *in.error();
    if (bad) return *bad;
    return change;
}

}  // namespace flow::wire
