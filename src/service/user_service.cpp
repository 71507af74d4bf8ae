#include "service/user_service.hpp"

#include <algorithm>
#include <set>

#include "auth/phone_number.hpp"

namespace flow {

Result<User> UserService::get(const std::string& viewer_id, const std::string& user_id) {
    auto user = users_.find(user_id);
    if (!user) return Error::not_found("no such user");
    return privacy_.seen_by(viewer_id, std::move(*user));
}

Result<User> UserService::update_profile(const std::string& user_id, const ProfileChange& change) {
    if (auto valid = validate_profile_change(change); !valid) return std::move(valid).error();
    if (change.image_id && *change.image_id)
        if (auto image = media_.attachable(user_id, **change.image_id, "image"); !image)
            return std::move(image).error();
    auto user = users_.update_profile(user_id, change);
    if (!user) return Error::not_found("no such user");
    return *user;
}

Result<std::vector<User>> UserService::lookup(const std::string& viewer_id,
                                              const std::vector<std::string>& phones) {
    // The same number twice is asked once: the cap is on distinct inputs, checked before
    // any is parsed.
    const std::set<std::string> distinct(phones.begin(), phones.end());
    if (distinct.size() > kMaxLookupPhones)
        return Error::invalid("too_many_phones", "at most 1000 phones per lookup");
    std::vector<std::string> normalized;
    for (const auto& input : distinct)
        if (auto phone = normalize_phone(input)) normalized.push_back(*phone);
    std::sort(normalized.begin(), normalized.end());
    normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
    if (auto allowed = limits_.look_up(viewer_id, normalized); !allowed) return std::move(allowed).error();
    return privacy_.seen_by(viewer_id, users_.find_by_phones(normalized));
}

}  // namespace flow
