#include "service/auth_service.hpp"

#include "auth/phone_number.hpp"
#include "common/ids.hpp"

namespace flow {

namespace {

// The phone number in E.164. A test number is taken as written, as it may be one no
// country uses (+1 555 01xx, kept for fiction): see OtpPolicy::test_numbers.
Result<std::string> parse_phone(const std::string& input, const OtpPolicy& policy) {
    if (policy.test_numbers.contains(input)) return input;
    auto phone = normalize_phone(input);
    if (!phone)
        return Error::invalid("invalid_phone",
                              "phone must be a valid number in international notation, like +14155550123");
    return *phone;
}

}  // namespace

Result<CodeSent> AuthService::enter_number(const std::string& input, const std::string& address) {
    auto phone = parse_phone(input, policy_);
    if (!phone) return std::move(phone).error();
    if (store_.banned(*phone)) return banned_error();

    const TimeMs now = clock_.now_ms();
    const auto test_number = policy_.test_numbers.find(*phone);
    const bool is_test_number = test_number != policy_.test_numbers.end();
    const std::string code = is_test_number ? test_number->second : Secrets::new_otp_code();
    const OtpChallenge challenge{new_id(now), *phone, secrets_.hash(code), now,
                                 now + policy_.ttl_s * 1000, 0};
    auto started = store_.start_challenge(challenge, address, SendHistory::needed(policy_), [&](const SendHistory& history) {
        return check_can_send(history, policy_, now);
    });
    if (!started) return std::move(started).error();
    if (is_test_number) return CodeSent{*phone, policy_.ttl_s, policy_.resend_s};  // its code is known: nothing sent

    const std::string text = "Your Flow code is " + code + ". It expires in " +
                             std::to_string((policy_.ttl_s + 59) / 60) + " minutes.";
    // A code that never left does not count against the phone's limits: the challenge
    // goes, now or (from a queueing sender) once the send has failed.
    SmsMessage sms{*phone, code, text, [&store = store_, id = challenge.id] { store.cancel_challenge(id); }};
    if (auto sent = sms_.send(sms); !sent) {
        store_.cancel_challenge(challenge.id);
        return std::move(sent).error();
    }
    return CodeSent{*phone, policy_.ttl_s, policy_.resend_s};
}

Result<SignInResult> AuthService::verify_otp(const std::string& input, const std::string& code,
                                             const DeviceInfo& device) {
    auto phone = parse_phone(input, policy_);
    if (!phone) return std::move(phone).error();
    if (store_.banned(*phone)) return banned_error();

    const TimeMs now = clock_.now_ms();
    const auto challenge = store_.latest_challenge(*phone);
    if (auto can = check_can_verify(challenge ? &*challenge : nullptr, policy_, now); !can)
        return std::move(can).error();
    // The try is counted before the comparison, so parallel guesses cannot add up to more.
    if (!store_.use_attempt(challenge->id, policy_.max_attempts)) {
        OtpChallenge used_up = *challenge;
        used_up.attempts = policy_.max_attempts;
        return check_can_verify(&used_up, policy_, now).error();
    }
    if (!Secrets::equal(secrets_.hash(code), challenge->code_hash))
        return Error::unauthorized("otp_invalid", "the code is not right");

    const std::string token = Secrets::new_token();
    auto signed_in = store_.complete_sign_in(*challenge, new_id(now),
                                             Session{new_id(now), "", device.name, now, device.platform, now},
                                             secrets_.hash(token), now);
    if (!signed_in) return std::move(signed_in).error();
    return SignInResult{token, std::move(signed_in->user), signed_in->new_user};
}

Result<Caller> AuthService::authenticate(const std::string& token) {
    auto session = store_.find_session(secrets_.hash(token));
    if (!session) return Error::unauthorized("unauthorized", "the token is unknown or signed out");
    if (const auto now = clock_.now_ms(); now - session->last_seen_at >= kDeviceSeenEveryMs)
        store_.mark_session_seen(session->id, now);
    return Caller{session->user_id, session->id};
}

void AuthService::logout(const Caller& caller) {
    store_.delete_session(caller.session_id);
    bus_.publish({{caller.user_id}, "", event::SessionEnded{caller.session_id}});
}

}  // namespace flow
