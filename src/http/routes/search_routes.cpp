#include "http/routes/search_routes.hpp"

#include <boost/json/array.hpp>

#include "http/query_reader.hpp"
#include "wire/chat_json.hpp"
#include "wire/json_util.hpp"

namespace flow::http {

void add_search_routes(Router& router, SearchService& search) {
    router.add("GET", "/search/messages", Access::signed_in, [&search](Request& request) {
        QueryReader query(request);
        SearchRequest asked{query.text("q").value_or(""), query.text("chat_id"), query.text("before"),
                            query.limit()};
        if (query.error()) return Response::error(*query.error());
        const auto found = search.search(request.who(), asked);
        if (!found) return Response::error(found.error());
        boost::json::array items;
        for (const auto& message : found->items) items.push_back(wire::to_json(message));
        return Response::json(200, {{"items", std::move(items)}, {"next_before", wire::or_null(found->next_before)}});
    });
}

}  // namespace flow::http
