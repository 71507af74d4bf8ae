#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace flow {

// The rules of one-time sign-in codes, as operators tune them.
struct OtpPolicy {
    long long ttl_s = 300;            // how long a code is valid
    long long resend_s = 30;          // the least time between two codes to one phone
    int phone_hourly_cap = 5;         // codes per phone per hour
    int address_hourly_cap = 50;      // codes per client address per hour; 0 for none
    int max_attempts = 5;             // tries per code, the right one included
    // Numbers (E.164) whose code is always the one given here and never sent: for app
    // store review and CI. Empty unless an operator says otherwise.
    std::map<std::string, std::string> test_numbers;
};

inline constexpr TimeMs kHourMs = 3'600'000;

// The codes sent in the last hour, which the send limits are judged on: the newest of
// them, as many as each limit needs (SendHistory::needed). Times ascend.
struct SendHistory {
    std::vector<TimeMs> to_phone;
    std::vector<TimeMs> from_address;

    // How many of the newest sends of each kind the limits look at: a cap of N needs
    // only the N newest, so that what is read stays small whatever has been sent.
    struct Needed {
        std::size_t to_phone;
        std::size_t from_address;
    };
    static Needed needed(const OtpPolicy& policy);
};

// One code sent to a phone. The code itself is never stored, only its keyed hash.
struct OtpChallenge {
    std::string id;
    std::string phone;
    std::string code_hash;
    TimeMs created_at = 0;
    TimeMs expires_at = 0;
    int attempts = 0;
};

// Whether another code may be sent now: refused with `rate_limited` and the seconds
// until it may, when the phone's resend cool-down or an hourly cap says no.
Status check_can_send(const SendHistory& history, const OtpPolicy& policy, TimeMs now);

// Whether a sign-in may try a code against `challenge` (the newest sent to the phone, if
// any): `otp_expired` when there is none or it is too old, `otp_locked` when its tries
// are used up.
Status check_can_verify(const OtpChallenge* challenge, const OtpPolicy& policy, TimeMs now);

// Seconds from `now` until `until`, rounded up; never below 1. For Retry-After.
long long seconds_until(TimeMs until, TimeMs now);

}  // namespace flow
