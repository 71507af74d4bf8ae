#pragma once

#include "http/router.hpp"
#include "service/search_service.hpp"

namespace flow::http {

// /search: messages by their words.
void add_search_routes(Router& router, SearchService& search);

}  // namespace flow::http
