// One Engine.IO session's rules on a real io_context, without sockets: polling drains,
// heartbeat, the slow-consumer bound, protocol errors.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "realtime/engineio/session.hpp"

namespace flow::realtime::engineio {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Recorder final : EngineListener {
    void on_message(std::string data, bool binary) override { messages.push_back(binary ? "b:" + data : data); }
    void on_close(std::string_view why) override { reason = why; }
    std::vector<std::string> messages;
    std::string reason;
};

class SessionTest : public ::testing::Test {
protected:
    void open(EngineIoOptions options) {
        deadlines_.start();
        session_ = std::make_shared<Session>(asio::make_strand(io_), deadlines_, options, "sid", "127.0.0.1", Transport::polling,
                                             [this](const std::string&) { finished_ = true; });
        asio::post(session_->strand(), [this] { session_->open([this](const EngineSocketPtr&) { return recorder_; }); });
    }
    // Starts a GET; its answer lands in `drain` once the io_context runs.
    void poll(std::optional<Drain>& drain) {
        asio::co_spawn(session_->strand(), session_->poll(), [&drain](std::exception_ptr, Drain result) { drain = std::move(result); });
    }
    // Runs the io_context for `time`, even after it ran out of work.
    void run(std::chrono::milliseconds time) {
        io_.restart();
        io_.run_for(time);
    }
    void post(std::string body) {
        asio::post(session_->strand(), [this, body] { refusal_ = session_->post(body); });
    }

    asio::io_context io_;
    net::DeadlineSweep deadlines_{io_.get_executor(), 5ms};
    std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
    std::shared_ptr<Session> session_;
    Refusal refusal_ = Refusal::none;
    bool finished_ = false;
};

TEST_F(SessionTest, AGetTakesTheOpenPacketThenWaitsForMessages) {
    open({});
    std::optional<Drain> first, second;
    poll(first);
    run(20ms);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->packets.size(), 1u);
    EXPECT_EQ(first->packets[0].type, PacketType::open);

    poll(second);
    run(20ms);
    EXPECT_FALSE(second) << "nothing to say yet";
    session_->send({Frame::text("hello"), {std::make_shared<const std::string>("\x01"), true}});
    run(20ms);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->packets.size(), 2u);
    EXPECT_EQ(*second->packets[0].data, "hello");
    EXPECT_TRUE(second->packets[1].binary);
}

TEST_F(SessionTest, PostedPacketsReachTheListenerAndCloseEndsTheSession) {
    open({});
    std::optional<Drain> open_packet, pending;
    poll(open_packet);
    run(10ms);
    poll(pending);
    post("4one\x1e" "bAQI=\x1e" "1");
    run(20ms);
    EXPECT_EQ(recorder_->messages, (std::vector<std::string>{"one", std::string("b:\x01\x02", 4)}));
    EXPECT_EQ(recorder_->reason, "transport close");
    ASSERT_TRUE(pending);
    EXPECT_EQ(pending->packets.at(0).type, PacketType::noop);
    EXPECT_TRUE(finished_);
}

TEST_F(SessionTest, AnInvalidPayloadOrASecondGetClosesTheSession) {
    open({});
    post("abc");
    run(10ms);
    EXPECT_EQ(refusal_, Refusal::bad_request);
    EXPECT_EQ(recorder_->reason, "parse error");

    recorder_ = std::make_shared<Recorder>();
    open({});
    std::optional<Drain> open_packet, first, second;
    poll(open_packet);
    run(10ms);
    poll(first);
    poll(second);
    run(10ms);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(second->refusal, Refusal::bad_request);
    EXPECT_EQ(first->packets.at(0).type, PacketType::close);
    EXPECT_EQ(recorder_->reason, "transport error");
}

TEST_F(SessionTest, PingsThenClosesWithoutPong) {
    EngineIoOptions options;
    options.ping_interval = 50ms;
    options.ping_timeout = 50ms;
    open(options);
    std::optional<Drain> open_packet, ping;
    poll(open_packet);
    run(10ms);
    poll(ping);
    run(60ms);  // the ping goes at 50 ms
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->packets.at(0).type, PacketType::ping);
    post("3");
    run(60ms);  // past the first ping's timeout
    EXPECT_EQ(recorder_->reason, "") << "the pong restarted the heartbeat";
    run(150ms);
    EXPECT_EQ(recorder_->reason, "ping timeout");
    EXPECT_TRUE(finished_);
}

TEST_F(SessionTest, ClosesASessionWhoseClientReadsTooSlowly) {
    EngineIoOptions options;
    options.max_queued_bytes = 1000;
    open(options);
    EngineSocket& socket = *session_;  // as the layers above see it
    for (int i = 0; i < 5; ++i) socket.send(Frame::text(std::string(300, 'x')));
    run(20ms);
    EXPECT_EQ(recorder_->reason, "slow consumer");
    EXPECT_TRUE(finished_);
}

// Typing and presence go as states: only the latest of each key is sent, after what is
// queued; a client that is behind misses them rather than being closed for them.
TEST_F(SessionTest, SendsOnlyTheLatestStateOfEachKeyAfterTheQueue) {
    open({});
    std::optional<Drain> open_packet, drain;
    poll(open_packet);
    run(10ms);
    EngineSocket& socket = *session_;
    const auto frame = [](std::string text, std::string key) {
        return Frame{std::make_shared<const std::string>(std::move(text)), false, std::move(key)};
    };
    socket.send(frame("typing a on", "typing a"));
    socket.send(Frame::text("message"));
    socket.send(frame("presence b online", "presence b"));
    socket.send(frame("typing a off", "typing a"));
    socket.send(frame("typing c on", "typing c"));
    run(10ms);
    poll(drain);
    run(10ms);
    ASSERT_TRUE(drain);
    std::vector<std::string> sent;
    for (const auto& packet : drain->packets) sent.push_back(*packet.data);
    EXPECT_EQ(sent, (std::vector<std::string>{"message", "typing a off", "presence b online", "typing c on"}));
}

TEST_F(SessionTest, DropsStatesForAClientThatIsBehindAndNeverClosesForThem) {
    EngineIoOptions options;
    options.max_queued_bytes = 200 * 1024;
    open(options);
    EngineSocket& socket = *session_;
    const auto typing = std::make_shared<const std::string>(std::string(100, 't'));
    for (int i = 0; i < 5000; ++i)  // 500 KB of states, of more keys than are kept
        socket.send(Frame{typing, false, "typing " + std::to_string(i)});
    socket.send(Frame::text(std::string(150 * 1024, 'm')));  // a message still fits
    socket.send(Frame{typing, false, "typing late"});           // behind the message: dropped
    run(20ms);
    EXPECT_EQ(recorder_->reason, "") << "states do not count against the bound";

    std::optional<Drain> drain;
    poll(drain);
    run(20ms);
    ASSERT_TRUE(drain);
    ASSERT_EQ(drain->packets.size(), 2 + net::LatestStates<QueuedPacket>::kMaxKeys)
        << "the open packet, the message, and the states of the first keys";
    EXPECT_EQ(*drain->packets[1].data, std::string(150 * 1024, 'm'));
}

}  // namespace
}  // namespace flow::realtime::engineio
