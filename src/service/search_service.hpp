#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "service/auth_service.hpp"
#include "storage/chat_store.hpp"

namespace flow {

// What a caller searches for: the words, in one of their chats or all of them, older
// than the next_before of the page before.
struct SearchRequest {
    std::string words;
    std::optional<std::string> chat_id;
    std::optional<std::string> before;
    int limit = 50;
};

// Full-text search of the messages a caller can see (domain/search.hpp says what
// matches); the index itself is the store's. A chat the caller is not in is not_found.
// Blocking (storage): call it on the blocking pool. Thread-safe.
class SearchService {
public:
    explicit SearchService(ChatStore& chats) : chats_(chats) {}

    Result<FoundMessages> search(const Caller& caller, const SearchRequest& request);

private:
    ChatStore& chats_;
};

}  // namespace flow
