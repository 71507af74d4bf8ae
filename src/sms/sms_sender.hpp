#pragma once

#include <string>

#include "common/result.hpp"

namespace flow {

// A text message to one phone carrying a sign-in code.
struct SmsMessage {
    std::string to;    // E.164
    std::string code;  // for providers that format their own text
    std::string text;  // the whole message, ready to send
};

// Sends sign-in codes by SMS through some provider. Implementations may block (they
// are called on the blocking pool) and are thread-safe.
class SmsSender {
public:
    virtual ~SmsSender() = default;
    // Fails with `unavailable` when the provider could not take the message.
    virtual Status send(const SmsMessage& message) = 0;
};

}  // namespace flow
