#pragma once

#include <boost/json/object.hpp>

#include "domain/story.hpp"

namespace flow::wire {

// A Story: `{id, user_id, type, text, media, background, created_at, expires_at}`, media
// a Media object or null.
boost::json::object to_json(const Story& story);
// A Story as one viewer sees it in the feed: the above plus `viewed`.
boost::json::object to_json(const StoryView& view);

}  // namespace flow::wire
