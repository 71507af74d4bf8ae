#pragma once

#include <atomic>
#include <string>

#include "sms/sms_sender.hpp"

namespace flow {

// POSTs each message as JSON `{"to", "code", "text"}` to a URL, for an SMS gateway or a
// test to take. Any 2xx answer within 10 seconds counts as sent. Blocking; thread-safe;
// cancel() ends the requests under way within about a second.
class WebhookSmsSender final : public SmsSender {
public:
    explicit WebhookSmsSender(std::string url);
    Status send(const SmsMessage& message) override;
    void cancel() override;

private:
    std::string url_;
    std::atomic<bool> cancelled_ = false;
};

}  // namespace flow
