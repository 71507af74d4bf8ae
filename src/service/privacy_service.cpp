#include "service/privacy_service.hpp"

#include <algorithm>

namespace flow {

Result<PrivacySettings> PrivacyService::update(const std::string& user_id, const PrivacyChange& change) {
    if (auto valid = validate_privacy_change(change); !valid) return std::move(valid).error();
    const auto update = settings_.update(user_id, change);
    if (changed_ && update.before != update.after) changed_(user_id, update);
    return update.after;
}

Relation PrivacyService::relation(const std::string& viewer_id, const std::string& user_id) {
    if (viewer_id == user_id) return Relation::self;
    return chats_.are_contacts(viewer_id, user_id) ? Relation::contact : Relation::other;
}

User PrivacyService::seen_by(const std::string& viewer_id, User user) {
    const auto relation_to = relation(viewer_id, user.id);
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

std::vector<User> PrivacyService::seen_by(const std::string& viewer_id, std::vector<User> users) {
    if (users.empty()) return users;
    // One question each for the settings and the contacts, however many users.
    std::vector<std::string> ids;
    for (const auto& user : users) ids.push_back(user.id);
    const auto settings = settings_.find_many(ids);
    auto contacts = chats_.contacts_of(viewer_id);
    std::sort(contacts.begin(), contacts.end());
    for (auto& user : users) {
        const auto relation_to = user.id == viewer_id ? Relation::self
                                 : std::binary_search(contacts.begin(), contacts.end(), user.id) ? Relation::contact
                                                                                               : Relation::other;
        const auto& theirs = settings.at(user.id);
        user = profile_seen_by(std::move(user), theirs, relation_to);
    }
    return users;
}

}  // namespace flow
