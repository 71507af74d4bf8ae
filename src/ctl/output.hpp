#pragma once

#include <boost/json/object.hpp>

#include "domain/device.hpp"
#include "domain/report.hpp"
#include "storage/admin_store.hpp"

namespace flow::ctl {

// What flowctl prints, one JSON document per command (for jq and for tests).

// A user as the API shapes one, with `banned`, `banned_at`, `deleted` and `devices` (how
// many are signed in).
boost::json::object to_json(const UserRecord& record);
// A device as GET /devices shapes one, less `current`.
boost::json::object to_json(const Device& device);
// A report with the copies of the messages it names, and `resolved_at` (null: open).
boost::json::object to_json(const Report& report);
boost::json::object to_json(const StoreCounts& counts);

}  // namespace flow::ctl
