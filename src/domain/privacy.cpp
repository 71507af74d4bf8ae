#include "domain/privacy.hpp"

namespace flow {

std::string_view to_string(Audience audience) {
    switch (audience) {
        case Audience::everyone: return "everyone";
        case Audience::contacts: return "contacts";
        case Audience::nobody: return "nobody";
    }
    return "nobody";
}

std::optional<Audience> audience_from(std::string_view name) {
    for (auto audience : {Audience::everyone, Audience::contacts, Audience::nobody})
        if (name == to_string(audience)) return audience;
    return std::nullopt;
}

Status validate_privacy_change(const PrivacyChange& change) {
    if (change.groups_add == Audience::nobody)
        return Error::invalid("invalid_field", "groups_add must be everyone or contacts");
    return Ok{};
}

void apply_privacy_change(PrivacySettings& settings, const PrivacyChange& change) {
    if (change.last_seen) settings.last_seen = *change.last_seen;
    if (change.photo) settings.photo = *change.photo;
    if (change.about) settings.about = *change.about;
    if (change.read_receipts) settings.read_receipts = *change.read_receipts;
    if (change.groups_add) settings.groups_add = *change.groups_add;
}

bool reaches(Audience audience, Relation relation) {
    switch (relation) {
        case Relation::self: return true;
        case Relation::contact: return audience != Audience::nobody;
        case Relation::other: return audience == Audience::everyone;
    }
    return false;
}

User profile_seen_by(User user, const PrivacySettings& settings, Relation relation) {
    if (!reaches(settings.last_seen, relation)) user.last_seen_at.reset();
    if (!reaches(settings.photo, relation)) user.image_id.reset();
    if (!reaches(settings.about, relation)) user.about.clear();
    return user;
}

bool shares_presence(const PrivacySettings& settings) { return reaches(settings.last_seen, Relation::contact); }

bool shares_read_receipts(ChatType type, const PrivacySettings& reader, const PrivacySettings& sender) {
    return !read_receipts_follow_settings(type) || (reader.read_receipts && sender.read_receipts);
}

bool read_receipts_follow_settings(ChatType type) { return type == ChatType::direct; }

Status check_may_add_to_group(const PrivacySettings& settings, Relation relation) {
    if (!reaches(settings.groups_add, relation))
        return Error::forbidden("not_allowed", "their privacy settings do not let you add them to groups");
    return Ok{};
}

}  // namespace flow
