#include "http/router.hpp"

#include <gtest/gtest.h>

namespace flow::http {
namespace {

Router make_router() {
    Router router([](const std::string& token) -> Result<Caller> {
        if (token == "good") return Caller{"u1", "s1"};
        return Error::unauthorized("unauthorized", "bad token");
    });
    router.add("GET", "/users/me", Access::signed_in,
               [](Request& r) { return Response::text(200, "text/plain", "me:" + r.who().user_id); });
    router.add("GET", "/users/{user_id}", Access::signed_in,
               [](Request& r) { return Response::text(200, "text/plain", r.param("user_id")); });
    router.add("POST", "/users/lookup", Access::signed_in,
               [](Request&) { return Response::no_content(); });
    router.add("GET", "/boom", Access::anyone,
               [](Request&) -> Response { throw std::runtime_error("bug"); });
    return router;
}

Request request(std::string method, std::string path, std::string token = "good") {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
    return r;
}

TEST(Router, LiteralRouteWinsOverPatternAddedAfterIt) {
    auto router = make_router();
    auto r = request("GET", "/users/me");
    EXPECT_EQ(router.handle(r).body, "me:u1");
    auto other = request("GET", "/users/abc");
    const auto response = router.handle(other);
    EXPECT_EQ(response.body, "abc");
    EXPECT_EQ(response.route, "/users/{user_id}");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    auto router = make_router();
    auto unknown = request("GET", "/nope");
    EXPECT_EQ(router.handle(unknown).status, 404);
    auto wrong = request("DELETE", "/users/lookup");
    const auto response = router.handle(wrong);
    EXPECT_EQ(response.status, 405);
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].second, "GET, POST");
    auto trailing = request("GET", "/users/me/extra");
    EXPECT_EQ(router.handle(trailing).status, 404);
}

TEST(Router, SignedInRoutesNeedAValidBearerToken) {
    auto router = make_router();
    auto none = request("GET", "/users/me", "");
    EXPECT_EQ(router.handle(none).status, 401);
    auto bad = request("GET", "/users/me", "bad");
    EXPECT_EQ(router.handle(bad).status, 401);
}

TEST(Router, AThrowingHandlerIs500) {
    auto router = make_router();
    auto r = request("GET", "/boom");
    const auto response = router.handle(r);
    EXPECT_EQ(response.status, 500);
    EXPECT_NE(response.body.find("\"internal\""), std::string::npos);
}

TEST(Router, APathOrQueryParameterThatIsNotTextIs400BeforeAnyRoute) {
    auto router = make_router();
    auto nul = request("GET", std::string("/users/ab\0cd", 12));
    auto response = router.handle(nul);
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("\"invalid_text\""), std::string::npos) << response.body;
    auto broken = request("GET", "/users/\xc3\x28");
    EXPECT_EQ(router.handle(broken).status, 400);
    auto query = request("GET", "/users/me");
    query.query.emplace_back("before", "\xff");
    response = router.handle(query);
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("before"), std::string::npos) << response.body;
    auto fine = request("GET", "/users/\xc3\xa9");
    EXPECT_EQ(router.handle(fine).body, "\xc3\xa9");
}

TEST(Router, BearerTokenParsing) {
    EXPECT_EQ(bearer_token("Bearer abc"), "abc");
    EXPECT_EQ(bearer_token("bearer  abc "), "abc");
    EXPECT_EQ(bearer_token("Basic abc"), "");
    EXPECT_EQ(bearer_token("Bearer"), "");
}

TEST(Router, AStreamingRouteIsFoundBeforeItsBodyAndAuthorizedLikeAnyOther) {
    auto router = make_router();
    const StreamingHandler streams = [](Request&, StreamingExchange&) -> boost::asio::awaitable<Disposition> {
        co_return Disposition::close;
    };
    router.add_streaming("POST", "/media", Access::signed_in, streams);
    router.add_streaming("GET", "/media/{media_id}", Access::signed_in, streams);

    auto upload = request("POST", "/media");
    const auto* route = router.streaming_route(upload);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route->pattern, "/media");
    EXPECT_FALSE(router.authorize(*route, upload));
    EXPECT_EQ(upload.who().user_id, "u1");

    auto head = request("HEAD", "/media/m1", "bad");  // a GET route takes HEAD
    route = router.streaming_route(head);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(head.param("media_id"), "m1");
    EXPECT_EQ(router.authorize(*route, head)->status, 401);

    // Another method is no streaming route; handled, it is 405 with what the path allows.
    auto put = request("PUT", "/media");
    EXPECT_EQ(router.streaming_route(put), nullptr);
    const auto refused = router.handle(put);
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.headers.at(0).second, "POST");
    auto users = request("GET", "/users/me");
    EXPECT_EQ(router.streaming_route(users), nullptr);
}

}  // namespace
}  // namespace flow::http
