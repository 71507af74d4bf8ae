#pragma once

#include "sms/sms_sender.hpp"

namespace flow {

// Writes each message to the server log instead of sending it: the development default,
// and the one place where a code may appear in the log.
class LogSmsSender final : public SmsSender {
public:
    Status send(const SmsMessage& message) override;
};

}  // namespace flow
