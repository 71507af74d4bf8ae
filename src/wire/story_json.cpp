#include "wire/story_json.hpp"

#include "wire/json_util.hpp"
#include "wire/media_json.hpp"

namespace flow::wire {

boost::json::object to_json(const Story& story) {
    boost::json::value media = nullptr;
    if (story.media) media = to_json(*story.media);
    return {{"id", story.id},
            {"user_id", story.user_id},
            {"type", to_string(story.type)},
            {"text", story.text},
            {"media", std::move(media)},
            {"background", or_null(story.background)},
            {"created_at", story.created_at},
            {"expires_at", story.expires_at}};
}

boost::json::object to_json(const StoryView& view) {
    auto json = to_json(view.story);
    json["viewed"] = view.viewed;
    return json;
}

}  // namespace flow::wire
