// The connection core's pieces without sockets: the opening handshake, the queue of
// outbound frames gathered for writev, and the one timer that serves many deadlines.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "net/deadline_sweep.hpp"
#include "net/outbound_frames.hpp"
#include "net/websocket/handshake.hpp"

namespace flow::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(WebSocketHandshake, AnswersTheRfcsExampleKey) {
    // RFC 6455 section 1.3.
    EXPECT_EQ(websocket::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    const auto response = websocket::accept_response("dGhlIHNhbXBsZSBub25jZQ==", "13");
    ASSERT_TRUE(response);
    EXPECT_TRUE(response->starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    EXPECT_NE(response->find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
    EXPECT_TRUE(response->ends_with("\r\n\r\n"));
}

TEST(WebSocketHandshake, RefusesOtherVersionsAndMalformedKeys) {
    EXPECT_FALSE(websocket::accept_response("dGhlIHNhbXBsZSBub25jZQ==", "8"));
    EXPECT_FALSE(websocket::accept_response("dGhlIHNhbXBsZSBub25jZQ==", ""));
    EXPECT_FALSE(websocket::accept_response("", "13"));
    EXPECT_FALSE(websocket::accept_response("dGhlIHNhbXBsZSBub25jZQ", "13")) << "too short";
    EXPECT_FALSE(websocket::accept_response("dGhlIHNhbXBsZSBub25j!Q==", "13")) << "not base64";
    EXPECT_FALSE(websocket::accept_response("dGhlIHNhbXBsZSBub25jZQ==x", "13")) << "too long";
}

std::string concat(const OutboundFrames& frames, std::size_t max_buffers = 64) {
    std::vector<asio::const_buffer> buffers(max_buffers);
    buffers.resize(frames.gather(buffers));
    std::string out;
    for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
    return out;
}

std::vector<std::byte> bytes(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

TEST(OutboundFrames, GathersHeadersAndSharedPayloadsInOrder) {
    OutboundFrames frames;
    EXPECT_TRUE(frames.empty());
    const auto shared = std::make_shared<const std::string>("hello");
    frames.push(bytes("H1"), shared);
    frames.push(bytes("H2"), shared);
    frames.push({}, std::make_shared<const std::string>("raw"));
    EXPECT_EQ(frames.bytes(), 17u);
    EXPECT_EQ(concat(frames), "H1helloH2helloraw");
    EXPECT_EQ(concat(frames, 3), "H1helloH2") << "no more buffers than asked for";
}

TEST(OutboundFrames, APartialWriteResumesWhereItStopped) {
    OutboundFrames frames;
    frames.push(bytes("AB"), std::make_shared<const std::string>("cdef"));
    frames.push(bytes("GH"), std::make_shared<const std::string>("ij"));
    frames.consume(1);
    EXPECT_EQ(concat(frames), "Bcdef" "GHij");
    frames.consume(3);
    EXPECT_EQ(concat(frames), "ef" "GHij");
    frames.consume(3);
    EXPECT_EQ(concat(frames), "Hij");
    EXPECT_EQ(frames.bytes(), 3u);
    frames.consume(3);
    EXPECT_TRUE(frames.empty());
    EXPECT_EQ(frames.bytes(), 0u);
    EXPECT_EQ(concat(frames), "");
}

TEST(OutboundFrames, WrittenFramesAreReleasedWhileTheQueueStaysBusy) {
    OutboundFrames frames;
    const auto payload = std::make_shared<const std::string>("x");
    for (int i = 0; i < 10'000; ++i) {
        frames.push(bytes("h"), payload);
        frames.push(bytes("h"), payload);
        frames.consume(2);  // one of the two leaves each time
    }
    EXPECT_EQ(frames.bytes(), 10'000u * 2);
    EXPECT_EQ(concat(frames, 4), "hxhx");
    EXPECT_EQ(payload.use_count(), 1 + 10'000) << "written frames release their payload";
}

TEST(DeadlineSweep, CallsWhatIsDueOnceAndWhatIsNotNever) {
    asio::io_context io;
    DeadlineSweep sweep(io.get_executor(), 10ms);
    int due = 0, later = 0, unset = 0;
    Deadline a(sweep, [&](bool) { ++due; });
    Deadline b(sweep, [&](bool) { ++later; });
    Deadline c(sweep, [&](bool) { ++unset; });
    a.set(Deadline::Clock::now());
    b.set(Deadline::Clock::now() + 1h);
    sweep.start();
    io.run_for(60ms);
    EXPECT_EQ(due, 1) << "once, then cleared";
    EXPECT_EQ(later, 0);
    EXPECT_EQ(unset, 0);
    {
        Deadline gone(sweep, [&](bool) { ++unset; });
        gone.set(Deadline::Clock::now());
    }  // unregistered before the next sweep
    a.set(Deadline::Clock::now());
    io.restart();
    io.run_for(40ms);
    EXPECT_EQ(due, 2) << "set again, called again";
    EXPECT_EQ(unset, 0);
    sweep.stop();
}

TEST(DeadlineSweep, NeverCallsADeadlineBeforeItsTime) {
    asio::io_context io;
    DeadlineSweep sweep(io.get_executor(), 1ms);
    Deadline::Clock::time_point when;
    int called = 0, early = 0;
    Deadline deadline(sweep, [&](bool) {
        ++called;
        if (Deadline::Clock::now() < when) ++early;
    });
    sweep.start();
    for (int i = 0; i < 200; ++i) {  // deadlines at every fraction of a millisecond
        when = Deadline::Clock::now() + std::chrono::microseconds(300 + (i * 37) % 900);
        deadline.set(when);
        io.restart();
        io.run_for(4ms);
    }
    sweep.stop();
    EXPECT_EQ(early, 0);
    EXPECT_GT(called, 100);
}

}  // namespace
}  // namespace flow::net
