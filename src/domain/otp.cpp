#include "domain/otp.hpp"

#include <algorithm>

namespace flow {

long long seconds_until(TimeMs until, TimeMs now) {
    return std::max<long long>(1, (until - now + 999) / 1000);
}

namespace {

// When an hourly cap of `cap` sends frees a slot again, given the sends of the last hour;
// `now` itself when it is not reached.
TimeMs hourly_slot_free_at(const std::vector<TimeMs>& sends, int cap, TimeMs now) {
    std::vector<TimeMs> recent;
    for (auto t : sends)
        if (t > now - kHourMs) recent.push_back(t);
    if (static_cast<int>(recent.size()) < cap) return now;
    // The send that must leave the window for the count to drop below the cap.
    return recent[recent.size() - static_cast<std::size_t>(cap)] + kHourMs;
}

}  // namespace

SendHistory::Needed SendHistory::needed(const OtpPolicy& policy) {
    return {static_cast<std::size_t>(policy.phone_hourly_cap), static_cast<std::size_t>(policy.address_hourly_cap)};
}

Status check_can_send(const SendHistory& history, const OtpPolicy& policy, TimeMs now) {
    if (!history.to_phone.empty()) {
        const TimeMs resend_at = history.to_phone.back() + policy.resend_s * 1000;
        if (resend_at > now)
            return Error::rate_limited("rate_limited", "a code was sent to this number moments ago",
                                       seconds_until(resend_at, now));
    }
    const TimeMs phone_free = hourly_slot_free_at(history.to_phone, policy.phone_hourly_cap, now);
    if (phone_free > now)
        return Error::rate_limited("rate_limited", "too many codes for this number this hour",
                                   seconds_until(phone_free, now));
    if (policy.address_hourly_cap == 0) return Ok{};
    const TimeMs address_free =
        hourly_slot_free_at(history.from_address, policy.address_hourly_cap, now);
    if (address_free > now)
        return Error::rate_limited("rate_limited", "too many codes from this address this hour",
                                   seconds_until(address_free, now));
    return Ok{};
}

Status check_can_verify(const OtpChallenge* challenge, const OtpPolicy& policy, TimeMs now) {
    if (challenge == nullptr || challenge->expires_at <= now)
        return Error::unauthorized("otp_expired", "the code has expired; ask for a new one");
    if (challenge->attempts >= policy.max_attempts)
        return Error::rate_limited("otp_locked", "too many wrong codes; ask for a new one",
                                   seconds_until(challenge->created_at + policy.resend_s * 1000, now));
    return Ok{};
}

}  // namespace flow
