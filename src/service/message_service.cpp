#include "service/message_service.hpp"

#include <algorithm>
#include <future>

#include "common/emoji.hpp"
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
    Message message;
    message.id = new_id(now);
    message.chat_id = chat_id;
    message.sender_id = caller.user_id;
    message.client_id = request.client_id;
    message.type = request.type;
    message.text = request.text;
    message.media_id = request.media_id;
    message.reply_to = request.reply_to;
    message.reply_to_seq = request.reply_to_seq;
    message.mentions = distinct_ids(request.mentions);
    message.created_at = now;
    message.origin_session = caller.session_id;
    message.media = std::move(media);
    auto check = [user_id = caller.user_id, replying = request.reply_to || request.reply_to_seq,
                  mentions = message.mentions, now](const Chat& chat, const std::optional<Message>& reply_target) -> Status {
        const auto* me = chat.participant(user_id);
        if (!me) return Error::not_found("no such chat");
        if (auto allowed = check_not_blocking(chat, user_id); !allowed) return allowed;
        if (auto allowed = check_mentions(chat, mentions); !allowed) return allowed;
        if (replying && (!reply_target || reply_target->seq < me->joined_seq || is_expired(*reply_target, now)))
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

Result<std::vector<Message>> MessageService::forward(const Caller& caller, const std::string& from_chat_id,
                                                     std::vector<std::string> message_ids,
                                                     std::vector<std::string> to_chat_ids) {
    if (auto valid = validate_forward(message_ids, to_chat_ids); !valid) return std::move(valid).error();
    if (auto allowed = limits_.take(Action::send, caller.user_id); !allowed) return std::move(allowed).error();
    const TimeMs now = clock_.now_ms();
    const auto check = [&](const Chat& from, const std::vector<Message>& originals,
                           const std::vector<Chat>& targets) -> Status {
        const auto* me = from.participant(caller.user_id);
        if (!me) return Error::not_found("no such chat");
        for (const auto& original : originals) {
            if (original.seq < me->joined_seq || is_expired(original, now))
                return Error::not_found("no such message: " + original.id);
            if (auto allowed = check_can_forward(original); !allowed) return allowed;
        }
        for (const auto& target : targets) {
            if (!target.participant(caller.user_id)) return Error::not_found("no such chat: " + target.id);
            if (auto allowed = check_not_blocking(target, caller.user_id); !allowed) return allowed;
        }
        return Ok{};
    };
    const auto copy = [&](const Message& original, const Chat& target) {
        return forwarded_copy(original, new_id(now), target.id, caller.user_id, caller.session_id, now);
    };
    auto appended = chats_.forward({from_chat_id, std::move(message_ids), std::move(to_chat_ids), caller.user_id},
                                   check, copy);
    if (!appended) return std::move(appended).error();
    std::vector<Message> forwarded;
    for (auto& one : *appended) {
        bus_.publish({one.participant_ids, caller.session_id, event::MessageNew{one.message}, ""});
        push_.message_sent(one.message, one.participant_ids);
        if (one.request_ended) chat_rules_.announce_request_ended(*one.request_ended, caller.user_id);
        forwarded.push_back(std::move(one.message));
    }
    return forwarded;
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
        return check_can_delete_for_everyone(m, caller.user_id, clock_.now_ms(), windows_.delete_for_everyone_ms);
    });
    if (!deleted) return std::move(deleted).error();
    if (newly_deleted) {
        bus_.publish({reachable_from(*chat, caller.user_id, chat->member_ids()), "",
                      event::MessageDeleted{chat_id, message_id}});
    }
    return Ok{};
}

Result<Message> MessageService::edit(const Caller& caller, const std::string& chat_id,
                                     const std::string& message_id, const std::string& text) {
    if (auto valid = validate_edit_text(text); !valid) return std::move(valid).error();
    if (auto allowed = limits_.take(Action::send, caller.user_id); !allowed) return std::move(allowed).error();
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    const Seq from = chat->participant(caller.user_id)->joined_seq;
    const TimeMs now = clock_.now_ms();
    auto edited = chats_.edit_message(chat_id, message_id, text, now, [&](const Message& m) -> Status {
        if (m.seq < from || is_expired(m, now)) return Error::not_found("no such message");
        return check_can_edit(m, caller.user_id, text, now, windows_.edit_ms);
    });
    if (!edited) return edited;
    bus_.publish({reachable_from(*chat, caller.user_id, chat->members_seeing(edited->seq)), "",
                  event::MessageEdited{*edited}, ""});
    return edited;
}

Result<Message> MessageService::react(const Caller& caller, const std::string& chat_id,
                                      const std::string& message_id, const std::optional<std::string>& emoji) {
    if (emoji && !is_single_emoji(*emoji))
        return Error::invalid("invalid_emoji", "a reaction is exactly one emoji");
    if (auto allowed = limits_.take(Action::send, caller.user_id); !allowed) return std::move(allowed).error();
    auto chat = chat_rules_.chat_of_member(caller.user_id, chat_id);
    if (!chat) return std::move(chat).error();
    const Seq from = chat->participant(caller.user_id)->joined_seq;
    const TimeMs now = clock_.now_ms();
    auto set = chats_.set_reaction(chat_id, message_id, caller.user_id, emoji, now,
                                   [&](const Message& m) -> Status {
                                       if (m.seq < from || is_expired(m, now)) return Error::not_found("no such message");
                                       return check_can_react(m);
                                   });
    if (!set) return std::move(set).error();
    if (set->changed)
        bus_.publish({reachable_from(*chat, caller.user_id, chat->members_seeing(set->message.seq)), "",
                      event::MessageReaction{chat_id, message_id, caller.user_id, emoji}, ""});
    return std::move(set->message);
}

Result<ChatView> MessageService::set_disappearing(const Caller& caller, const std::string& chat_id,
                                                 std::int64_t seconds) {
    if (auto valid = validate_disappearing_seconds(seconds); !valid) return std::move(valid).error();
    const TimeMs now = clock_.now_ms();
    Message notice;
    notice.id = new_id(now);
    notice.chat_id = chat_id;
    notice.sender_id = caller.user_id;
    notice.client_id = notice.id;
    notice.type = MessageType::system;
    notice.text = disappearing_notice(seconds);
    notice.created_at = now;
    const TimeMs lifetime_ms = seconds == 0                              ? 0
                               : windows_.disappearing_override_ms > 0 ? windows_.disappearing_override_ms
                                                                       : seconds * 1000;
    auto set = chats_.set_disappearing(chat_id, seconds, lifetime_ms, notice, [&](const Chat& chat) -> Status {
        if (!chat.participant(caller.user_id)) return Error::not_found("no such chat");
        return check_can_set_disappearing(chat, caller.user_id);
    });
    if (!set) return std::move(set).error();
    if (set->notice) {
        bus_.publish({set->notice->participant_ids, "", event::MessageNew{set->notice->message}, ""});
        bus_.publish({set->chat.member_ids(), "", event::ChatUpdated{set->chat}, ""});
    }
    return chats_.view_chat(set->chat, caller.user_id);
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
        bus_.publish({reachable_from(*chat, caller.user_id, chat->member_ids(caller.user_id)), "",
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
