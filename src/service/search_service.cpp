#include "service/search_service.hpp"

#include "domain/search.hpp"

namespace flow {

Result<FoundMessages> SearchService::search(const Caller& caller, const SearchRequest& request) {
    if (auto valid = validate_search_words(request.words); !valid) return std::move(valid).error();
    if (request.chat_id && !chats_.joined_seq(*request.chat_id, caller.user_id))
        return Error::not_found("no such chat");
    return chats_.search_messages(
        {caller.user_id, request.words, request.chat_id, request.before, request.limit});
}

}  // namespace flow
