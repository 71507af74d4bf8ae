#include "service/message_service.hpp"

#include <algorithm>
#include <future>

#include "common/ids.hpp"

namespace flow {

namespace {

Status check_seq(Seq seq) {
    if (seq < 0) return Error::invalid("invalid_seq", "seq must not be negative");
    return Ok{};
}

}  // namespace

void MessageService::send(const Caller& caller, const std::string& chat_id, const NewMessage& request,
                          Sent done) {
    if (auto allowed = limits_.take(Action::send, caller.user_id); !allowed) return done(std::move(allowed).error());
    if (auto valid = validate_new_message(request); !valid) return done(std::move(valid).error());
    std::optional<Media> media;
    if (request.media_id) {
        auto attachable = media_.attachable(caller.user_id, *request.media_id, to_string(request.type));
        if (!attachable) return done(std::move(attachable).error());
        media = std::move(*attachable);
    }

    const TimeMs now = clock_.now_ms();
    Message message{new_id(now), chat_id,         0,   caller.user_id, request.client_id,
                    request.type, request.text, request.media_id, request.reply_to, now, false,
                    caller.session_id, std::move(media)};
    auto check = [user_id = caller.user_id, replying = request.reply_to.has_value()](
                     const Chat& chat, const std::optional<Message>& reply_target) -> Status {
        const auto* me = chat.participant(user_id);
        if (!me) return Error::not_found("no such chat");
        if (replying && (!reply_target || reply_target->seq < me->joined_seq))
            return Error::invalid("invalid_reply", "reply_to names no message of this chat");
        return Ok{};
    };
    chats_.append_message(std::move(message), std::move(check),
                          [this, session_id = caller.session_id, done = std::move(done)](Result<Appended> appended) {
                              if (appended && appended->created) {
                                  bus_.publish({appended->participant_ids, session_id,
                                                event::MessageNew{appended->message}});
                                  push_.message_sent(appended->message, appended->participant_ids);
                              }
                              if (appended && appended->request_ended)
                                  chat_rules_.announce_request_ended(*appended->request_ended,
                                                                     appended->message.sender_id);
                              done(std::move(appended));
                          });
}

Result<Appended> MessageService::send(const Caller& caller, const std::string& chat_id,
                                      const NewMessage& request) {
    std::promise<Result<Appended>> sent;
    send(caller, chat_id, request, [&sent](Result<Appended> appended) { sent.set_value(std::move(appended)); });
    return sent.get_future().get();
}

Result<Seq> MessageService::visible_from(const Caller& caller, const std::string& chat_id) {
    auto from = chats_.joined_seq(chat_id, caller.user_id);
    if (!from) return Error::not_found("no such chat");
    return *from;
}

Result<MessagePage> MessageService::history(const Caller& caller, const std::string& chat_id,
                                            const HistoryPage& page) {
    auto visible = visible_from(caller, chat_id);
    if (!visible) return std::move(visible).error();
    const Seq from = *visible;
    MessagePage result{chats_.history(chat_id, caller.user_id, from, page), std::nullopt};
    // Older messages may remain when this page is full or started after a cursor.
    if (!result.items.empty() && result.items.front().seq > from &&
        (page.after || static_cast<int>(result.items.size()) == page.limit))
        result.next_before = result.items.front().seq;
    return result;
}

Status MessageService::delete_message(const Caller& caller, const std::string& chat_id,
                                      const std::string& message_id, bool for_everyone) {
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    const Seq from = chat->participant(caller.user_id)->joined_seq;
    const auto visible = [&](const Message& m) { return m.seq >= from; };

    if (!for_everyone) {
        auto message = chats_.find_message(chat_id, message_id);
        if (!message || !visible(*message)) return Error::not_found("no such message");
        chats_.hide_message(caller.user_id, *message);
        return Ok{};
    }
    bool newly_deleted = false;
    auto deleted = chats_.delete_for_everyone(chat_id, message_id, [&](const Message& m) -> Status {
        if (!visible(m)) return Error::not_found("no such message");
        if (m.deleted) return Ok{};
        newly_deleted = true;
        return check_can_delete_for_everyone(m, caller.user_id, clock_.now_ms(), delete_window_ms_);
    });
    if (!deleted) return std::move(deleted).error();
    if (newly_deleted) {
        bus_.publish({chat->member_ids(), "", event::MessageDeleted{chat_id, message_id}});
    }
    return Ok{};
}

Result<MessagePage> MessageService::media(const Caller& caller, const std::string& chat_id,
                                          std::optional<MessageType> type,
                                          std::optional<Seq> before, int limit) {
    auto from = visible_from(caller, chat_id);
    if (!from) return std::move(from).error();
    MessagePage result{chats_.media(chat_id, caller.user_id, *from, type, before, limit), std::nullopt};
    if (static_cast<int>(result.items.size()) == limit) result.next_before = result.items.back().seq;
    return result;
}

Status MessageService::mark_read(const Caller& caller, const std::string& chat_id, Seq seq) {
    if (auto valid = check_seq(seq); !valid) return valid;
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    // Reading a message means it was delivered too.
    if (auto status = mark_delivered(caller, chat_id, seq); !status) return status;
    // A message request's recipient reads without telling the sender, and so does anyone
    // whose read receipts, or the sender's, are off.
    auto moved = chats_.mark_read(chat_id, caller.user_id, std::min(seq, chat->last_seq));
    auto to = moved ? privacy_.read_receipt_audience(*chat, caller.user_id, activity_audience(*chat, caller.user_id))
                    : std::vector<std::string>{};
    if (moved && !to.empty())
        bus_.publish({std::move(to), "", event::MessageStatus{chat_id, caller.user_id, *moved, event::Receipt::read}, ""});
    return Ok{};
}

Status MessageService::mark_delivered(const Caller& caller, const std::string& chat_id, Seq seq) {
    if (auto valid = check_seq(seq); !valid) return valid;
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    if (auto moved = chats_.mark_delivered(caller.session_id, chat_id, caller.user_id,
                                           std::min(seq, chat->last_seq)))
        bus_.publish({chat->member_ids(caller.user_id), "",
                      event::MessageStatus{chat_id, caller.user_id, *moved, event::Receipt::delivered}});
    return Ok{};
}

Status MessageService::typing(const Caller& caller, const std::string& chat_id, bool typing) {
    // Past the rate, dropped without a word: a typing indicator is worth nothing late.
    if (!limits_.take(Action::typing, caller.user_id)) return Ok{};
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    // A message request's recipient types unseen by the sender.
    auto to = activity_audience(*chat, caller.user_id);
    if (!to.empty()) bus_.publish({std::move(to), "", event::Typing{chat_id, caller.user_id, typing}, ""});
    return Ok{};
}

std::vector<DeliveryCursor> MessageService::delivery_cursors(const Caller& caller) {
    return chats_.delivery_cursors(caller.session_id, caller.user_id);
}

Result<Seq> MessageService::delivered(const Caller& caller, const std::string& chat_id) {
    auto delivered = chats_.delivered(caller.session_id, chat_id, caller.user_id);
    if (!delivered) return Error::not_found("no such chat");
    return *delivered;
}

Result<std::vector<Message>> MessageService::messages_after(const Caller& caller,
                                                            const std::string& chat_id,
                                                            Seq after_seq, int limit) {
    auto from = visible_from(caller, chat_id);
    if (!from) return std::move(from).error();
    return chats_.history(chat_id, caller.user_id, *from, {std::nullopt, after_seq, limit});
}

}  // namespace flow
