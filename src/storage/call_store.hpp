#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/call.hpp"

namespace flow {

// Calls and their participants. Every call is atomic, and a write is durable when it
// returns. Thread-safe; may block.
class CallStore {
public:
    virtual ~CallStore() = default;

    // Stores a new call. When it is 1:1 and its callee is already in a live call (ringing
    // or joined in one), `busy` changes it first; checked and stored atomically, so two
    // calls to one person cannot both ring.
    virtual Call create(Call call, const std::function<void(Call&)>& busy) = 0;
    virtual std::optional<Call> find(const std::string& call_id) = 0;
    // Loads the call, lets `change` check and change it, and stores the result; all
    // atomically, so concurrent changes cannot interleave. not_found for no such call.
    virtual Result<Call> modify(const std::string& call_id, const std::function<Status(Call&)>& change) = 0;
    // The calls `user_id` took part in, newest first, older than the call `before`.
    virtual std::vector<Call> history(const std::string& user_id, const std::optional<std::string>& before,
                                      int limit) = 0;
    // The calls with someone still ringing whose ring time ran out by `now`.
    virtual std::vector<std::string> rung_out(TimeMs now) = 0;
    // The ongoing calls answered at or before `answered_by`, longest first.
    virtual std::vector<std::string> ongoing(TimeMs answered_by) = 0;
};

}  // namespace flow
