#include "storage/sql/sql_storage.hpp"

namespace flow::sql {

std::string SqlStorage::secret_fingerprint(const std::string& mine) {
    return db_->transaction([&](Connection& db) {
        db.prepare("INSERT INTO service_settings (name, value) VALUES ('secret_fingerprint', ?) "
                   "ON CONFLICT (name) DO NOTHING")
            .bind(1, mine)
            .run();
        auto stored = db.prepare("SELECT value FROM service_settings WHERE name = 'secret_fingerprint'");
        stored.step();
        return stored.text(0);
    });
}

}  // namespace flow::sql
