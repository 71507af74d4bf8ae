#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "common/result.hpp"
#include "domain/privacy.hpp"

namespace flow::wire {

// Privacy settings as clients see them: `{last_seen, photo, about, read_receipts,
// groups_add}`.
boost::json::object to_json(const PrivacySettings& settings);

// The change a PUT /users/me/privacy body asks for; every field may be left out (or null).
// An audience that is not everyone, contacts or nobody, or a read_receipts that is no
// boolean, is `invalid_field`, naming the field.
Result<PrivacyChange> privacy_change_from(std::string_view body);

}  // namespace flow::wire
