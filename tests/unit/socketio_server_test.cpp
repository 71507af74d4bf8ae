// The Socket.IO server logic over a fake Engine.IO session: joining namespaces (accept,
// refuse, later), events and acks both ways, disconnects, shared frames.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "realtime/socketio/server.hpp"

namespace flow::realtime::socketio {
namespace {

namespace json = boost::json;
using engineio::Frame;

// Records what the server sends; runs dispatched tasks at once and delayed ones on demand.
class FakeEngine final : public engineio::EngineSocket {
public:
    const std::string& sid() const override { return sid_; }
    const std::string& remote_address() const override { return address_; }
    const boost::asio::any_io_executor& executor() const override { return executor_; }
    void send(std::vector<Frame> frames) override {
        if (!closed) sent.insert(sent.end(), frames.begin(), frames.end());
    }
    void when_queue_below(std::size_t, std::function<void()> task) override { task(); }
    void close() override { closed = true; }
    void dispatch(std::function<void()> task) override { task(); }
    std::function<void()> dispatch_after(std::chrono::milliseconds, std::function<void()> task) override {
        auto cancelled = std::make_shared<bool>(false);
        delayed.push_back([cancelled, task = std::move(task)] {
            if (!*cancelled) task();
        });
        return [cancelled] { *cancelled = true; };
    }
    void run_delayed() {
        auto tasks = std::move(delayed);
        delayed.clear();
        for (auto& task : tasks) task();
    }
    // The text frames sent so far, then forgets them.
    std::vector<std::string> texts() {
        std::vector<std::string> out;
        for (const auto& frame : sent)
            if (!frame.binary) out.push_back(*frame.data);
        sent.clear();
        return out;
    }

    std::vector<Frame> sent;
    std::vector<std::function<void()>> delayed;
    bool closed = false;

private:
    std::string sid_ = "engine-sid";
    std::string address_ = "127.0.0.1";
    boost::asio::io_context io_;
    boost::asio::any_io_executor executor_ = io_.get_executor();
};

class SocketIoServerTest : public ::testing::Test {
protected:
    void open() {
        engine_ = std::make_shared<FakeEngine>();
        listener_ = server_.open_handler()(engine_);
    }
    void text(const std::string& frame) { listener_->on_message(frame, false); }
    void binary(std::string bytes) { listener_->on_message(std::move(bytes), true); }
    // The sid of a CONNECT answer `40<nsp,>{"sid":…}`.
    static std::string sid_of(const std::string& answer, std::size_t prefix) {
        return std::string(json::parse(answer.substr(prefix)).at("sid").as_string());
    }

    SocketIoServer server_{{.connect_timeout = std::chrono::milliseconds(1000)}};
    std::shared_ptr<FakeEngine> engine_;
    std::shared_ptr<engineio::EngineListener> listener_;
};

TEST_F(SocketIoServerTest, AcceptsAConnectAndHandsOverTheAuthPayload) {
    json::value seen;
    int connections = 0;
    server_.of("/").on_connect([&](const SocketPtr& socket, ConnectCallback done) {
        seen = socket->auth();
        done(Ok{});
    });
    server_.of("/").on_connection([&](const SocketPtr&) { ++connections; });
    open();
    text(R"(0{"token":"123"})");
    const auto sent = engine_->texts();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(sent[0].starts_with(R"(0{"sid":")"));
    EXPECT_EQ(seen, json::parse(R"({"token":"123"})"));
    EXPECT_EQ(connections, 1);
}

TEST_F(SocketIoServerTest, RefusesWithTheErrorsMessageAndCode) {
    int connections = 0;
    server_.of("/").on_connect([](const SocketPtr&, ConnectCallback done) {
        done(Error::unauthorized("bad_token", "Not authorized"));
    });
    server_.of("/").on_connection([&](const SocketPtr&) { ++connections; });
    open();
    text("0");
    EXPECT_EQ(engine_->texts(), (std::vector<std::string>{R"(4{"message":"Not authorized","data":{"code":"bad_token"}})"}));
    EXPECT_EQ(connections, 0);
    text(R"(2["hello"])");  // not joined: a protocol error
    EXPECT_TRUE(engine_->closed);
}

TEST_F(SocketIoServerTest, DecidesLaterAndEmitsOnConnection) {
    ConnectCallback pending;
    server_.of("/admin").on_connect([&](const SocketPtr&, ConnectCallback done) { pending = std::move(done); });
    server_.of("/admin").on_connection([](const SocketPtr& socket) { socket->emit("welcome", {{1, "two"}, {}}); });
    open();
    text("0/admin,");
    EXPECT_TRUE(engine_->texts().empty());
    text("0/admin,");  // a second CONNECT while the first is undecided
    EXPECT_TRUE(engine_->closed);

    open();
    text("0/admin,");
    pending(Ok{});
    const auto sent = engine_->texts();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_TRUE(sent[0].starts_with(R"(0/admin,{"sid":")"));
    EXPECT_EQ(sent[1], R"(2/admin,["welcome",1,"two"])");
}

TEST_F(SocketIoServerTest, AnswersAnUnknownNamespace) {
    server_.of("/");
    open();
    text("0/random");
    EXPECT_EQ(engine_->texts(), (std::vector<std::string>{R"(4/random,{"message":"Invalid namespace"})"}));
    EXPECT_FALSE(engine_->closed);
}

TEST_F(SocketIoServerTest, RoutesEventsWithArgsAndAcks) {
    std::vector<std::string> events;
    server_.of("/").on("echo", [&](const SocketPtr&, const std::string& event, Args args, Ack ack) {
        events.push_back(event);
        if (ack) ack(std::move(args));
    });
    server_.of("/").on_any([&](const SocketPtr&, const std::string& event, Args args, Ack ack) {
        events.push_back("any:" + event);
        EXPECT_FALSE(ack);
        EXPECT_TRUE(args.values.empty());
    });
    open();
    text("0");
    engine_->texts();
    text(R"(27["echo",1,{"a":[true]}])");
    text(R"(2["other"])");
    EXPECT_EQ(events, (std::vector<std::string>{"echo", "any:other"}));
    EXPECT_EQ(engine_->texts(), (std::vector<std::string>{R"(37[1,{"a":[true]}])"}));
}

TEST_F(SocketIoServerTest, ReassemblesBinaryEventsAndAcksWithAttachments) {
    server_.of("/").on("upload", [&](const SocketPtr& socket, const std::string&, Args args, Ack ack) {
        ASSERT_EQ(args.attachments.size(), 1u);
        EXPECT_EQ(*args.attachments[0], "\x01\x02");
        Args answer;
        answer.values.emplace_back("ok");
        answer.add_binary(args.attachments[0]);
        ack(std::move(answer));
        socket->emit("copy", std::move(args));
    });
    open();
    text("0");
    engine_->texts();
    text(R"(51-9["upload",{"_placeholder":true,"num":0}])");
    EXPECT_TRUE(engine_->sent.empty());
    binary("\x01\x02");
    ASSERT_EQ(engine_->sent.size(), 4u);
    EXPECT_EQ(*engine_->sent[0].data, R"(61-9["ok",{"_placeholder":true,"num":0}])");
    EXPECT_TRUE(engine_->sent[1].binary);
    EXPECT_EQ(*engine_->sent[2].data, R"(51-["copy",{"_placeholder":true,"num":0}])");
    EXPECT_EQ(engine_->sent[3].data, engine_->sent[1].data) << "one buffer for both packets";
}

TEST_F(SocketIoServerTest, AcksFromTheClientReachTheEmitter) {
    SocketPtr joined;
    server_.of("/").on_connection([&](const SocketPtr& socket) { joined = socket; });
    open();
    text("0");
    engine_->texts();
    std::optional<Args> answer;
    int calls = 0;
    joined->emit_with_ack("question", {{"why"}, {}}, [&](std::optional<Args> args) {
        ++calls;
        answer = std::move(args);
    });
    EXPECT_EQ(engine_->texts(), (std::vector<std::string>{R"(20["question","why"])"}));
    text(R"(30["because"])");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->values, json::parse(R"(["because"])").as_array());

    joined->emit_with_ack("again", {}, [&](std::optional<Args> args) {
        ++calls;
        answer = std::move(args);
    });
    engine_->run_delayed();  // the connect timeout (joined: nothing) and the ack timeout
    EXPECT_FALSE(answer);
    EXPECT_EQ(calls, 2);
    EXPECT_FALSE(engine_->closed);
}

TEST_F(SocketIoServerTest, ReportsDisconnectReasons) {
    std::vector<std::string> reasons;
    server_.of("/").on_disconnect([&](const SocketPtr&, std::string_view reason) { reasons.emplace_back(reason); });
    server_.of("/chat").on_connection([&](const SocketPtr& socket) {
        socket->on_disconnect([&](std::string_view reason) { reasons.push_back("chat:" + std::string(reason)); });
    });
    open();
    text("0");
    text("0/chat,");
    text("1");
    EXPECT_EQ(reasons, (std::vector<std::string>{"client namespace disconnect"}));
    listener_->on_close("ping timeout");
    EXPECT_EQ(reasons, (std::vector<std::string>{"client namespace disconnect", "chat:ping timeout"}));
}

TEST_F(SocketIoServerTest, DisconnectsFromTheServerSide) {
    std::vector<std::string> reasons;
    SocketPtr joined;
    server_.of("/chat").on_connection([&](const SocketPtr& socket) { joined = socket; });
    server_.of("/chat").on_disconnect([&](const SocketPtr&, std::string_view reason) { reasons.emplace_back(reason); });
    open();
    text("0/chat,");
    engine_->texts();
    joined->disconnect("signed out");
    EXPECT_EQ(engine_->texts(), (std::vector<std::string>{"1/chat,"}));
    EXPECT_EQ(reasons, (std::vector<std::string>{"signed out"}));
    EXPECT_FALSE(joined->connected());
    joined->emit("late");
    EXPECT_TRUE(engine_->texts().empty());
    EXPECT_FALSE(engine_->closed);
}

TEST_F(SocketIoServerTest, ClosesWithoutAConnectInTime) {
    server_.of("/");
    open();
    engine_->run_delayed();
    EXPECT_TRUE(engine_->closed);
}

TEST_F(SocketIoServerTest, ClosesOnMalformedPackets) {
    server_.of("/");
    for (const char* frame : {"abc", R"(2{})", R"(0/,{"a":1})"}) {
        open();
        text("0");
        text(frame);
        EXPECT_TRUE(engine_->closed) << frame;
    }
}

TEST_F(SocketIoServerTest, SendsOneEncodedFrameToManySockets) {
    std::vector<SocketPtr> sockets;
    server_.of("/").on_connection([&](const SocketPtr& socket) { sockets.push_back(socket); });
    open();
    text("0");
    auto first = engine_;
    open();
    text("0");
    auto second = engine_;
    first->texts();
    second->texts();

    const auto packet = server_.of("/").encode("news", {{"hello"}, {}});
    for (const auto& socket : sockets) socket->send(packet);
    ASSERT_EQ(first->sent.size(), 1u);
    ASSERT_EQ(second->sent.size(), 1u);
    EXPECT_EQ(*first->sent[0].data, R"(2["news","hello"])");
    EXPECT_EQ(first->sent[0].data, second->sent[0].data) << "the same buffer, not a copy";
}

TEST_F(SocketIoServerTest, KeepsUserData) {
    SocketPtr joined;
    server_.of("/").on_connection([&](const SocketPtr& socket) {
        socket->set_data(std::make_shared<std::string>("user-1"));
        joined = socket;
    });
    open();
    text("0");
    ASSERT_TRUE(joined);
    EXPECT_EQ(*joined->data<std::string>(), "user-1");
}

}  // namespace
}  // namespace flow::realtime::socketio
