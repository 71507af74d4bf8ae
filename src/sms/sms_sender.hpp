#pragma once

#include <functional>
#include <string>

#include "common/result.hpp"

namespace flow {

// A text message to one phone carrying a sign-in code.
struct SmsMessage {
    std::string to;    // E.164
    std::string code;  // for providers that format their own text
    std::string text;  // the whole message, ready to send
    // Called, on a thread of the sender's, when a sender that answers before sending
    // (QueuedSmsSender) fails to send later; a sender that sends before answering returns
    // the failure instead. May be empty.
    std::function<void()> on_failed;
};

// Sends sign-in codes by SMS through some provider. Implementations may block and are
// thread-safe; the server puts a QueuedSmsSender in front of the provider, so that none
// blocks a request.
class SmsSender {
public:
    virtual ~SmsSender() = default;
    // Fails with `unavailable` when the provider could not take the message.
    virtual Status send(const SmsMessage& message) = 0;
    // At shutdown: ends the sends under way as soon as it can (they fail), so that none
    // outlasts the shutdown deadline. Any thread. By default there is nothing to end.
    virtual void cancel() {}
};

}  // namespace flow
