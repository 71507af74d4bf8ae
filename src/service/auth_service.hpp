#pragma once

#include <string>

#include "auth/secrets.hpp"
#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/otp.hpp"
#include "domain/user.hpp"
#include "sms/sms_sender.hpp"
#include "storage/sign_in_store.hpp"

namespace flow {

struct CodeSent {
    std::string phone;  // E.164
    long long expires_in = 0;
    long long resend_in = 0;
};

struct SignInResult {
    std::string token;
    User user;
    bool new_user = false;
};

// Who is calling: the user and the device (session) a bearer token belongs to.
struct Caller {
    std::string user_id;
    std::string session_id;
};

// Phone-number sign-in with one-time codes, and the bearer tokens it hands out. Blocking
// (storage, SMS): call it on the blocking pool. Thread-safe.
class AuthService {
public:
    AuthService(SignInStore& store, SmsSender& sms, EventBus& bus, const Secrets& secrets,
                const Clock& clock, OtpPolicy policy)
        : store_(store), sms_(sms), bus_(bus), secrets_(secrets), clock_(clock), policy_(policy) {}

    // Sends a new code to `phone` unless a limit says no, or the user who has it is banned
    // (403 `banned`, as for verify_otp). `address` is the client's. With
    // a sender that queues, it answers once the code is stored and queued.
    Result<CodeSent> enter_number(const std::string& phone, const std::string& address);
    // Signs in with a code, creating the user on first sign-in, as a new device.
    Result<SignInResult> verify_otp(const std::string& phone, const std::string& code, const DeviceInfo& device);
    // The caller a bearer token belongs to; `unauthorized` when it is unknown or revoked.
    Result<Caller> authenticate(const std::string& token);
    // Ends a session: its token stops working at once, and its sockets close.
    void logout(const Caller& caller);

private:
    SignInStore& store_;
    SmsSender& sms_;
    EventBus& bus_;
    const Secrets& secrets_;
    const Clock& clock_;
    OtpPolicy policy_;
};

}  // namespace flow
