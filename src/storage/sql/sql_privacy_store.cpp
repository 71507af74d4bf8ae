#include "storage/sql/sql_privacy_store.hpp"

namespace flow::sql {

namespace {

#define PRIVACY_SELECT \
    "SELECT last_seen, photo, about, read_receipts, groups_add FROM privacy_settings WHERE user_id = ?"

// A value stored by an older or newer flowd that this one does not know reads as the
// narrowest audience, so that nothing is shown that the user may have hidden.
Audience read_audience(const Statement& row, int column) {
    return audience_from(row.text(column)).value_or(Audience::nobody);
}

// The user's settings, the defaults when they never changed one; `for_update` locks the
// row until the transaction ends.
PrivacySettings load(Connection& db, const std::string& user_id, bool for_update = false) {
    auto stmt = db.prepare(for_update ? PRIVACY_SELECT " FOR UPDATE" : PRIVACY_SELECT);
    stmt.bind(1, user_id);
    if (!stmt.step()) return {};
    PrivacySettings settings{read_audience(stmt, 0), read_audience(stmt, 1), read_audience(stmt, 2),
                             stmt.integer(3) != 0, read_audience(stmt, 4)};
    // groups_add has no `nobody`: the narrowest it can be is contacts.
    if (settings.groups_add == Audience::nobody) settings.groups_add = Audience::contacts;
    return settings;
}

}  // namespace

PrivacySettings SqlPrivacyStore::find(const std::string& user_id) {
    return db_.with([&](Connection& db) { return load(db, user_id); });
}

std::unordered_map<std::string, PrivacySettings> SqlPrivacyStore::find_many(const std::vector<std::string>& user_ids) {
    return db_.with([&](Connection& db) {
        std::unordered_map<std::string, PrivacySettings> found;
        for (const auto& id : user_ids)
            if (!found.contains(id)) found.emplace(id, load(db, id));
        return found;
    });
}

PrivacyUpdate SqlPrivacyStore::update(const std::string& user_id, const PrivacyChange& change) {
    return db_.transaction([&](Connection& db) {
        // The row is made first, so that two first changes lock the same row rather than
        // both inserting one.
        const PrivacySettings defaults;
        db.prepare("INSERT INTO privacy_settings (user_id, last_seen, photo, about, read_receipts, groups_add) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING")
            .bind(1, user_id)
            .bind(2, to_string(defaults.last_seen))
            .bind(3, to_string(defaults.photo))
            .bind(4, to_string(defaults.about))
            .bind(5, std::int64_t{defaults.read_receipts})
            .bind(6, to_string(defaults.groups_add))
            .run();
        PrivacyUpdate update{load(db, user_id, true), {}};
        update.after = update.before;
        apply_privacy_change(update.after, change);
        db.prepare("UPDATE privacy_settings SET last_seen = ?, photo = ?, about = ?, read_receipts = ?, "
                   "groups_add = ? WHERE user_id = ?")
            .bind(1, to_string(update.after.last_seen))
            .bind(2, to_string(update.after.photo))
            .bind(3, to_string(update.after.about))
            .bind(4, std::int64_t{update.after.read_receipts})
            .bind(5, to_string(update.after.groups_add))
            .bind(6, user_id)
            .run();
        return update;
    });
}

}  // namespace flow::sql
