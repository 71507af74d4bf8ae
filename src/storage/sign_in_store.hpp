#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/device.hpp"
#include "domain/otp.hpp"
#include "domain/user.hpp"

namespace flow {

// A signed-in device: one token.
struct Session {
    std::string id;
    std::string user_id;
    std::string device;  // its name
    TimeMs created_at = 0;
    Platform platform = Platform::other;
    TimeMs last_seen_at = 0;
};

// What completing a sign-in produced.
struct SignedIn {
    User user;
    bool new_user = false;
    Session session;
};

// The sign-in flow's state: codes sent (which are also the history the send limits are
// judged on) and sessions. Each call is atomic; implementations are thread-safe, may
// block, and have made a write durable when they return.
class SignInStore {
public:
    virtual ~SignInStore() = default;

    // Atomically: reads the last hour's sends to `challenge.phone` and from `address`
    // (the newest of each, as many as `needed` says), asks `allow` whether another may
    // go, and if so stores `challenge` as the phone's newest. Concurrent calls for one
    // phone or address are serialised, so caps hold.
    virtual Status start_challenge(const OtpChallenge& challenge, const std::string& address,
                                   SendHistory::Needed needed,
                                   const std::function<Status(const SendHistory&)>& allow) = 0;
    // Forgets a challenge whose code could not be sent, so it counts against no limit.
    virtual void cancel_challenge(const std::string& challenge_id) = 0;
    // The newest unconsumed challenge sent to a phone.
    virtual std::optional<OtpChallenge> latest_challenge(const std::string& phone) = 0;
    // Counts one try against a challenge before its code is compared, so that concurrent
    // tries cannot exceed `max_attempts`; false when none is left (or it is consumed).
    virtual bool use_attempt(const std::string& challenge_id, int max_attempts) = 0;
    // Whether the user who has `phone` (E.164) is banned (AdminStore::ban).
    virtual bool banned(const std::string& phone) = 0;
    // Atomically consumes the challenge, finds or creates the user of its phone (as
    // `new_user_id`, created at `now`), and opens `session` (whose user_id it fills in)
    // under `token_hash`. `otp_expired` when the challenge was consumed meanwhile,
    // `banned` (banned_error) when the user is banned, checked under a lock on the user
    // so that a ban at the same time cannot miss the new session.
    virtual Result<SignedIn> complete_sign_in(const OtpChallenge& challenge, const std::string& new_user_id,
                                              Session session, const std::string& token_hash, TimeMs now) = 0;

    virtual std::optional<Session> find_session(const std::string& token_hash) = 0;
    // Records that a session was used at `at` (never moving it back).
    virtual void mark_session_seen(const std::string& session_id, TimeMs at) = 0;
    virtual void delete_session(const std::string& session_id) = 0;
};

}  // namespace flow
