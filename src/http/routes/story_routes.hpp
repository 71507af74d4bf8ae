#pragma once

#include "http/router.hpp"
#include "service/story_service.hpp"

namespace flow::http {

// /stories and everything below it: posting, the feed, views, deleting.
void add_story_routes(Router& router, StoryService& stories);

}  // namespace flow::http
