#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "domain/privacy.hpp"

namespace flow {

// A setting's value before and after one change.
struct PrivacyUpdate {
    PrivacySettings before;
    PrivacySettings after;
};

// Each user's privacy settings; a user who never set them has the defaults of
// PrivacySettings. Thread-safe; may block; a write is durable when it returns.
class PrivacyStore {
public:
    virtual ~PrivacyStore() = default;

    virtual PrivacySettings find(const std::string& user_id) = 0;
    // The settings of each of `user_ids` (defaults included), by id.
    virtual std::unordered_map<std::string, PrivacySettings> find_many(const std::vector<std::string>& user_ids) = 0;
    // Applies a validated change atomically, so that concurrent changes to different
    // settings both hold.
    virtual PrivacyUpdate update(const std::string& user_id, const PrivacyChange& change) = 0;
};

}  // namespace flow
