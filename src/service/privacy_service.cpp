#include "service/privacy_service.hpp"

#include <algorithm>
#include <optional>

namespace flow {

Result<PrivacySettings> PrivacyService::update(const std::string& user_id, const PrivacyChange& change) {
    if (auto valid = validate_privacy_change(change); !valid) return std::move(valid).error();
    const auto update = settings_.update(user_id, change);
    if (changed_ && update.before != update.after) changed_(user_id, update);
    return update.after;
}

User PrivacyService::seen_by(const std::string& viewer_id, User user) {
    // One user: point questions, rather than all of the viewer's contacts.
    if (const auto frozen = blocks_.blockers_of(viewer_id, {user.id}); !frozen.empty())
        return seen_frozen(std::move(user), frozen.begin()->second);
    const auto relation_to = viewer_id == user.id                     ? Relation::self
                             : chats_.are_contacts(viewer_id, user.id) ? Relation::contact
                                                                       : Relation::other;
    const auto settings = settings_.find(user.id);
    return profile_seen_by(std::move(user), settings, relation_to);
}

std::vector<std::string> PrivacyService::read_receipt_audience(const Chat& chat, const std::string& reader_id,
                                                              std::vector<std::string> to) {
    // A group's members' settings are not read at all: they do not count there.
    if (to.empty() || !read_receipts_follow_settings(chat.type)) return to;
    auto ids = to;
    ids.push_back(reader_id);
    const auto settings = settings_.find_many(ids);
    const auto& reader = settings.at(reader_id);
    std::erase_if(to, [&](const std::string& id) { return !shares_read_receipts(chat.type, reader, settings.at(id)); });
    return to;
}

Status PrivacyService::check_may_add_to_group(const std::string& adder_id, const std::vector<std::string>& user_ids) {
    if (user_ids.empty()) return Ok{};
    const auto blockers = blocks_.blockers_of(adder_id, user_ids);
    const auto settings = settings_.find_many(user_ids);
    std::optional<std::vector<std::string>> contacts;  // read once someone's setting asks
    for (const auto& id : user_ids) {
        const auto& theirs = settings.at(id);
        if (!blockers.contains(id) && flow::check_may_add_to_group(theirs, Relation::other)) continue;
        if (!contacts) {
            contacts = chats_.contacts_of(adder_id);
            std::sort(contacts->begin(), contacts->end());
        }
        const auto relation_to =
            std::binary_search(contacts->begin(), contacts->end(), id) ? Relation::contact : Relation::other;
        // A blocker is no contact of the adder; whatever their setting, the same answer.
        const auto& asked = blockers.contains(id) ? PrivacySettings{.groups_add = Audience::contacts} : theirs;
        if (auto allowed = flow::check_may_add_to_group(asked, relation_to); !allowed) {
            auto error = std::move(allowed).error();
            error.message += ": " + id.substr(0, 64);
            return error;
        }
    }
    return Ok{};
}

std::vector<User> PrivacyService::seen_by(const std::string& viewer_id, std::vector<User> users) {
    if (users.empty()) return users;
    // One question each for the settings, the contacts and the blocks, however many users.
    std::vector<std::string> ids;
    for (const auto& user : users) ids.push_back(user.id);
    const auto settings = settings_.find_many(ids);
    const auto blockers = blocks_.blockers_of(viewer_id, ids);
    auto contacts = chats_.contacts_of(viewer_id);
    std::sort(contacts.begin(), contacts.end());
    for (auto& user : users) {
        const auto relation_to = user.id == viewer_id ? Relation::self
                                 : std::binary_search(contacts.begin(), contacts.end(), user.id) ? Relation::contact
                                                                                               : Relation::other;
        if (auto frozen = blockers.find(user.id); frozen != blockers.end()) {
            user = seen_frozen(std::move(user), frozen->second);
            continue;
        }
        const auto& theirs = settings.at(user.id);
        user = profile_seen_by(std::move(user), theirs, relation_to);
    }
    return users;
}

}  // namespace flow
