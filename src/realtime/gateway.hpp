#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <string_view>

#include "common/result.hpp"
#include "service/auth_service.hpp"
#include "realtime/device_session.hpp"
#include "service/call_service.hpp"
#include "service/message_service.hpp"

namespace flow::realtime {

// The events clients send over either socket transport: each runs one use case, and
// its Result becomes the ack. `message:send` (a send_message body plus chat_id) acks
// with the Message; `message:delivered` and `message:read` ({chat_id, seq}) and `typing`
// ({chat_id, typing}) and `call:signal` ({call_id, kind, payload, to?}) ack with {};
// `message:edit` ({chat_id, message_id, text}) and `message:react` ({chat_id, message_id,
// emoji}: null takes the caller's reaction back) ack with the Message; `message:forward`
// ({chat_id, message_ids, to_chat_ids}) acks with {items: the new Messages}.
// An event name, string or key that is not UTF-8 or holds NUL acks `invalid_text`.
// Blocking (storage): call it on the blocking pool, unless waits_on_nothing().
class Gateway {
public:
    Gateway(MessageService& messages, CallService& calls) : messages_(messages), calls_(calls) {}

    // Runs `event` from `device`; `reply` hears the ack's result before this returns, or
    // for `message:send` once the message is durable, on a thread of storage's. A
    // device's sends, handled one after another, are stored and replied to in order.
    using Reply = std::function<void(Result<boost::json::value>)>;
    void handle(DeviceSession& device, std::string_view event, const boost::json::value& data,
                Reply reply) const;

    // Whether handle() would return without waiting on storage, so that an I/O thread may
    // call it: a message send, when the message service says it does not wait.
    bool waits_on_nothing(std::string_view event, const boost::json::value& data) const;

private:
    void send_message(DeviceSession& device, const boost::json::value& data, Reply reply) const;
    Result<boost::json::value> handle_now(DeviceSession& device, std::string_view event,
                                          const boost::json::value& data) const;

    MessageService& messages_;
    CallService& calls_;
};

// The ack's data for a failed event: `{"error": {"code", "message"}}`, with
// `retry_after` (seconds) when a rate limit bit.
boost::json::value error_json(const Error& error);

}  // namespace flow::realtime
