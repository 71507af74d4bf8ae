#include "http/routes/story_routes.hpp"

#include <boost/json/array.hpp>

#include "wire/json_reader.hpp"
#include "wire/story_json.hpp"
#include "wire/user_json.hpp"

namespace flow::http {

using wire::JsonReader;

namespace {

Response no_content_or_error(const Status& status) {
    return status ? Response::no_content() : Response::error(status.error());
}

}  // namespace

void add_story_routes(Router& router, StoryService& stories) {
    router.add("POST", "/stories", Access::signed_in, [&stories](Request& request) {
        JsonReader in(request.body);
        const auto type_name = in.string("type");
        NewStory story;
        story.text = in.optional_string("text").value_or("");
        story.media_id = in.optional_string("media_id");
        story.background = in.optional_string("background");
        if (in.error()) return Response::error(*in.error());
        const auto type = story_type_from(type_name);
        if (!type) return Response::error(Error::invalid("invalid_field", "type must be text, image or video"));
        story.type = *type;
        auto created = stories.create(request.who(), story);
        if (!created) return Response::error(created.error());
        return Response::json(201, wire::to_json(*created));
    });

    router.add("GET", "/stories", Access::signed_in, [&stories](Request& request) {
        boost::json::array items;
        for (const auto& group : stories.feed(request.who())) {
            boost::json::array list;
            for (const auto& view : group.stories) list.push_back(wire::to_json(view));
            items.push_back({{"user", wire::to_json(group.user)}, {"stories", std::move(list)}});
        }
        return Response::json(200, {{"items", std::move(items)}});
    });

    router.add("POST", "/stories/{story_id}/view", Access::signed_in, [&stories](Request& request) {
        return no_content_or_error(stories.view(request.who(), request.param("story_id")));
    });

    router.add("GET", "/stories/{story_id}/views", Access::signed_in, [&stories](Request& request) {
        auto viewers = stories.viewers(request.who(), request.param("story_id"));
        if (!viewers) return Response::error(viewers.error());
        boost::json::array items;
        for (const auto& viewer : *viewers)
            items.push_back({{"user_id", viewer.user_id}, {"viewed_at", viewer.viewed_at}});
        return Response::json(200, {{"items", std::move(items)}});
    });

    router.add("DELETE", "/stories/{story_id}", Access::signed_in, [&stories](Request& request) {
        return no_content_or_error(stories.remove(request.who(), request.param("story_id")));
    });
}

}  // namespace flow::http
