#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/report.hpp"

namespace flow {

// Reports of users, with a copy of the messages they name, kept for review. Thread-safe;
// may block; a write is durable when it returns.
class ReportStore {
public:
    virtual ~ReportStore() = default;

    // Stores `report` (its `messages` are ignored) with a copy of each of `message_ids`
    // as it is now, atomically: a later edit or delete leaves the copy as it was, and
    // media it names are kept. Only messages the reporter can see count (in a chat they
    // are in, from where they joined): when one of `message_ids` is not such a message,
    // nothing is stored and the answer is false.
    virtual bool file(const Report& report, const std::vector<std::string>& message_ids) = 0;
    // A report with its copies, for review.
    virtual std::optional<Report> find(const std::string& report_id) = 0;
    // Up to `limit` reports, the newest first, with their copies; only those not resolved
    // yet when `open_only`.
    virtual std::vector<Report> list(bool open_only, int limit) = 0;
    // Marks the report resolved at `now`, unless it was already (the first time is kept);
    // false for no such report.
    virtual bool resolve(const std::string& report_id, TimeMs now) = 0;
};

}  // namespace flow
