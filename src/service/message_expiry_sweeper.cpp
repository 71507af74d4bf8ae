#include "service/message_expiry_sweeper.hpp"

#include <map>

#include "service/story_sweeper.hpp"

namespace flow {

ExpirySweepResult MessageExpirySweeper::run() {
    ExpirySweepResult result;
    const auto expired = chats_.expire_messages(clock_.now_ms(), kMaxMessagesPerSweep);
    result.messages_erased = expired.size();
    if (expired.empty()) return result;

    std::vector<std::string> media_ids;
    std::map<std::string, std::vector<const ExpiredMessage*>> by_chat;
    for (const auto& message : expired) {
        if (message.media_id) media_ids.push_back(*message.media_id);
        by_chat[message.chat_id].push_back(&message);
    }
    auto media = remove_unused_media(catalog_, store_, media_ids);
    result.media_removed = media.media_removed;
    result.bytes_left_behind = std::move(media.bytes_left_behind);
    for (const auto& [chat_id, messages] : by_chat) {
        const auto chat = chats_.find_chat(chat_id);
        if (!chat) continue;
        for (const auto* message : messages)
            bus_.publish({chat->members_seeing(message->seq), "", event::MessageDeleted{chat_id, message->message_id}, ""});
    }
    return result;
}

}  // namespace flow
