#include "sms/log/log_sms_sender.hpp"

#include <spdlog/spdlog.h>

namespace flow {

Status LogSmsSender::send(const SmsMessage& message) {
    spdlog::info("sms to {}: {}", message.to, message.text);
    return Ok{};
}

}  // namespace flow
