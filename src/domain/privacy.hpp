#pragma once

#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "domain/chat.hpp"
#include "domain/user.hpp"

namespace flow {

// Who may see a part of a user's profile (or add them to groups).
enum class Audience { everyone, contacts, nobody };

std::string_view to_string(Audience audience);
std::optional<Audience> audience_from(std::string_view name);

// A user's privacy settings (API.md "Blocking, reports and privacy"). A user who never
// set them has these defaults. A plain value.
struct PrivacySettings {
    Audience last_seen = Audience::contacts;
    Audience photo = Audience::everyone;
    Audience about = Audience::everyone;
    // Off: the user neither sends nor sees read marks in direct chats.
    bool read_receipts = true;
    Audience groups_add = Audience::everyone;  // everyone or contacts, never nobody

    bool operator==(const PrivacySettings&) const = default;
};

// The settings a PUT changes; an absent field stays as it was.
struct PrivacyChange {
    std::optional<Audience> last_seen;
    std::optional<Audience> photo;
    std::optional<Audience> about;
    std::optional<bool> read_receipts;
    std::optional<Audience> groups_add;
};

// `groups_add` is everyone or contacts (`invalid_field` for nobody).
Status validate_privacy_change(const PrivacyChange& change);
void apply_privacy_change(PrivacySettings& settings, const PrivacyChange& change);

// How one user (the viewer) stands to another: the same user, a contact (as
// domain/chat.hpp defines them) or anyone else.
enum class Relation { self, contact, other };

// Whether a viewer standing in `relation` is in `audience`.
bool reaches(Audience audience, Relation relation);

// What a viewer may see of a user, the one place that decides it for every answer and
// event: the user's profile with `last_seen_at` (null), `image_id` (null) and `about` ("")
// left out for viewers outside the chosen audience.
User profile_seen_by(User user, const PrivacySettings& settings, Relation relation);

// Whether the user's presence (online, offline and last seen as they happen) goes to
// their contacts, who alone are told of it: not when last seen is hidden from them, as an
// offline event would tell its time.
bool shares_presence(const PrivacySettings& settings);

// Whether `reader`'s read marks in a chat of `type` reach `sender`: always in groups (as
// WhatsApp does); in direct chats only when both have read receipts on, as turning them
// off means neither sending nor seeing them.
bool shares_read_receipts(ChatType type, const PrivacySettings& reader, const PrivacySettings& sender);
// Whether that depends on the members' settings at all (in direct chats only).
bool read_receipts_follow_settings(ChatType type);

// Whether an adder standing in `relation` to a user with `settings` may add them to a
// group: `not_allowed` (forbidden) when they are not in the user's `groups_add` audience.
Status check_may_add_to_group(const PrivacySettings& settings, Relation relation);

}  // namespace flow
