#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/clock.hpp"
#include "media/media_store.hpp"
#include "storage/chat_store.hpp"
#include "storage/media_catalog.hpp"

namespace flow {

// What one sweep of disappearing messages did.
struct ExpirySweepResult {
    std::size_t messages_erased = 0;
    std::size_t media_removed = 0;
    // Media whose record went but whose bytes the store failed to remove: wasted space.
    std::vector<std::string> bytes_left_behind;
};

// The sweep of disappearing messages: erases those whose expires_at has passed, for
// everyone, as a delete for everyone does (ChatStore::expire_messages, which hands each
// message to one sweep only, whichever node runs it), removes their media unless another
// message, a story, a profile or a report still uses it, and tells the members who could
// see each message with message:deleted. Until it runs, reads leave expired messages out
// already. app/ runs it on a timer on the blocking pool of every node. Blocking.
class MessageExpirySweeper {
public:
    // Bounds one sweep's work; the next sweep takes the rest.
    static constexpr int kMaxMessagesPerSweep = 1000;

    MessageExpirySweeper(ChatStore& chats, MediaCatalog& catalog, MediaStore& store, EventBus& bus,
                         const Clock& clock)
        : chats_(chats), catalog_(catalog), store_(store), bus_(bus), clock_(clock) {}

    ExpirySweepResult run();

private:
    ChatStore& chats_;
    MediaCatalog& catalog_;
    MediaStore& store_;
    EventBus& bus_;
    const Clock& clock_;
};

}  // namespace flow
