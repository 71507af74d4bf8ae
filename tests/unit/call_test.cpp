#include "domain/call.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

constexpr TimeMs kStart = 1'000'000;
constexpr TimeMs kRing = 45'000;

Call one_to_one() {
    return start_call("c1", CallType::video, "chat", "ann", "ann-phone", std::string("bob"), {"ann", "bob"}, kStart,
                      kRing);
}

Call group_of(std::vector<std::string> members) {
    return start_call("g1", CallType::audio, "group", members.front(), members.front() + "-phone", std::nullopt,
                      members, kStart, kRing);
}

template <class T>
std::string code_of(const Result<T>& result) {
    return result ? "" : result.error().code;
}
CallerState state_of(const Call& call, std::string_view user) { return call.participant(user)->state; }

TEST(Call, NamesRoundTrip) {
    for (auto s : {CallStatus::ringing, CallStatus::ongoing, CallStatus::ended, CallStatus::rejected,
                   CallStatus::missed, CallStatus::busy, CallStatus::cancelled})
        EXPECT_EQ(call_status_from(to_string(s)), s);
    for (auto s : {CallerState::ringing, CallerState::joined, CallerState::declined, CallerState::left,
                   CallerState::missed})
        EXPECT_EQ(caller_state_from(to_string(s)), s);
    EXPECT_EQ(call_type_from("video"), CallType::video);
    EXPECT_EQ(call_type_from("fax"), std::nullopt);
}

TEST(Call, StartsRingingWithTheCallerJoined) {
    const auto call = one_to_one();
    EXPECT_EQ(call.status, CallStatus::ringing);
    ASSERT_EQ(call.participants.size(), 2u);
    EXPECT_EQ(call.participants[0].user_id, "ann");
    EXPECT_EQ(state_of(call, "ann"), CallerState::joined);
    EXPECT_EQ(call.participants[0].session_id, "ann-phone");
    EXPECT_EQ(state_of(call, "bob"), CallerState::ringing);
    EXPECT_EQ(call.ring_until, kStart + kRing);
    EXPECT_FALSE(call.over());
}

TEST(Call, AcceptThenEndCountsTheDuration) {
    auto call = one_to_one();
    ASSERT_TRUE(accept_call(call, "bob", "bob-laptop", kStart + 3'000));
    EXPECT_EQ(call.status, CallStatus::ongoing);
    EXPECT_EQ(call.answered_at, kStart + 3'000);
    EXPECT_EQ(call.participant("bob")->session_id, "bob-laptop");
    EXPECT_EQ(call.ring_until, std::nullopt);
    EXPECT_EQ(call.duration_s(), 0);
    ASSERT_TRUE(end_call(call, "bob", kStart + 65'500));
    EXPECT_EQ(call.status, CallStatus::ended);
    EXPECT_EQ(call.ended_at, kStart + 65'500);
    EXPECT_EQ(call.duration_s(), 62);
    EXPECT_EQ(state_of(call, "ann"), CallerState::left);
    EXPECT_EQ(state_of(call, "bob"), CallerState::left);
}

TEST(Call, RefusedTransitions) {
    auto call = one_to_one();
    EXPECT_EQ(code_of(accept_call(call, "ann", "ann-phone", kStart)), "already_joined");
    EXPECT_EQ(code_of(reject_call(call, "ann", kStart)), "not_ringing");
    EXPECT_EQ(code_of(accept_call(call, "cy", "cy-phone", kStart)), "not_found");
    ASSERT_TRUE(accept_call(call, "bob", "bob-phone", kStart));
    EXPECT_EQ(code_of(accept_call(call, "bob", "bob-tablet", kStart)), "already_joined");
    EXPECT_EQ(code_of(reject_call(call, "bob", kStart)), "not_ringing");
    ASSERT_TRUE(end_call(call, "ann", kStart + 1));
    for (const auto& status : {accept_call(call, "bob", "x", kStart), reject_call(call, "bob", kStart),
                               end_call(call, "ann", kStart)})
        EXPECT_EQ(code_of(status), "call_over");
    EXPECT_EQ(code_of(end_call(call, "cy", kStart)), "not_found") << "not call_over: existence is not leaked";
}

TEST(Call, RejectAndCancel) {
    auto rejected = one_to_one();
    ASSERT_TRUE(reject_call(rejected, "bob", kStart + 1));
    EXPECT_EQ(rejected.status, CallStatus::rejected);
    EXPECT_EQ(state_of(rejected, "bob"), CallerState::declined);
    EXPECT_EQ(state_of(rejected, "ann"), CallerState::left);

    auto declined_by_end = one_to_one();
    ASSERT_TRUE(end_call(declined_by_end, "bob", kStart + 1));
    EXPECT_EQ(declined_by_end.status, CallStatus::rejected);

    auto cancelled = one_to_one();
    ASSERT_TRUE(end_call(cancelled, "ann", kStart + 1));
    EXPECT_EQ(cancelled.status, CallStatus::cancelled);
    EXPECT_EQ(state_of(cancelled, "bob"), CallerState::missed);
    EXPECT_EQ(cancelled.ring_until, std::nullopt);
}

TEST(Call, RingsOutAsMissedOnlyWhenItsTimeIsUp) {
    auto call = one_to_one();
    EXPECT_FALSE(ring_out(call, kStart + kRing - 1));
    EXPECT_EQ(call.status, CallStatus::ringing);
    ASSERT_TRUE(ring_out(call, kStart + kRing));
    EXPECT_EQ(call.status, CallStatus::missed);
    EXPECT_EQ(state_of(call, "bob"), CallerState::missed);
    EXPECT_EQ(call.ended_at, kStart + kRing);
    EXPECT_FALSE(ring_out(call, kStart + kRing + 1)) << "a call rings out once";

    auto answered = one_to_one();
    ASSERT_TRUE(accept_call(answered, "bob", "b", kStart + 1));
    EXPECT_FALSE(ring_out(answered, kStart + kRing * 2));
    EXPECT_EQ(answered.status, CallStatus::ongoing);
}

TEST(Call, BusyIsOverAtOnce) {
    auto call = one_to_one();
    mark_busy(call, kStart);
    EXPECT_EQ(call.status, CallStatus::busy);
    EXPECT_TRUE(call.over());
    EXPECT_EQ(state_of(call, "bob"), CallerState::missed);
    EXPECT_EQ(call.ring_until, std::nullopt);
}

TEST(Call, GroupCallGoesOnWhileTwoRemain) {
    auto call = group_of({"ann", "bob", "cy", "dee"});
    EXPECT_EQ(call.callee_id, std::nullopt);
    ASSERT_TRUE(reject_call(call, "dee", kStart + 1));
    EXPECT_EQ(call.status, CallStatus::ringing) << "others still ring";
    ASSERT_TRUE(accept_call(call, "bob", "b", kStart + 2));
    EXPECT_EQ(call.status, CallStatus::ongoing);
    ASSERT_TRUE(accept_call(call, "cy", "c", kStart + 3));
    EXPECT_EQ(call.answered_at, kStart + 2) << "from the first accept";
    ASSERT_TRUE(end_call(call, "ann", kStart + 10'000));
    EXPECT_EQ(call.status, CallStatus::ongoing) << "the caller leaving does not end it for bob and cy";
    EXPECT_EQ(state_of(call, "ann"), CallerState::left);
    ASSERT_TRUE(accept_call(call, "ann", "a2", kStart + 11'000)) << "one who left may join again";
    ASSERT_TRUE(end_call(call, "ann", kStart + 12'000));
    ASSERT_TRUE(end_call(call, "bob", kStart + 20'000));
    EXPECT_EQ(call.status, CallStatus::ended) << "fewer than two remain";
    EXPECT_EQ(state_of(call, "cy"), CallerState::left);
    EXPECT_EQ(state_of(call, "dee"), CallerState::declined);
    EXPECT_EQ(call.duration_s(), 19);
}

TEST(Call, GroupMembersWhoNeverJoinMissItWhileTheCallGoesOn) {
    auto call = group_of({"ann", "bob", "cy"});
    ASSERT_TRUE(accept_call(call, "bob", "b", kStart + 1));
    ASSERT_TRUE(ring_out(call, kStart + kRing));
    EXPECT_EQ(call.status, CallStatus::ongoing);
    EXPECT_EQ(state_of(call, "cy"), CallerState::missed);
    ASSERT_TRUE(accept_call(call, "cy", "c", kStart + kRing + 5)) << "a late member may still join";

    auto nobody = group_of({"ann", "bob", "cy"});
    ASSERT_TRUE(reject_call(nobody, "bob", kStart + 1));
    ASSERT_TRUE(reject_call(nobody, "cy", kStart + 2));
    EXPECT_EQ(nobody.status, CallStatus::rejected);
}

TEST(Call, SignalTargets) {
    auto call = one_to_one();
    auto offer = signal_target(call, "ann", std::nullopt);
    ASSERT_TRUE(offer);
    EXPECT_EQ((*offer)->user_id, "bob");
    EXPECT_EQ(code_of(signal_target(call, "bob", std::nullopt)), "not_in_call") << "bob is still ringing";
    EXPECT_EQ(code_of(signal_target(call, "ann", std::string("cy"))), "invalid_field");
    EXPECT_EQ(code_of(signal_target(call, "cy", std::nullopt)), "not_found");
    ASSERT_TRUE(accept_call(call, "bob", "b", kStart + 1));
    auto answer = signal_target(call, "bob", std::string("ann"));
    ASSERT_TRUE(answer);
    EXPECT_EQ((*answer)->user_id, "ann");
    ASSERT_TRUE(end_call(call, "ann", kStart + 2));
    EXPECT_EQ(code_of(signal_target(call, "bob", std::nullopt)), "call_over");

    auto group = group_of({"ann", "bob", "cy"});
    EXPECT_EQ(code_of(signal_target(group, "ann", std::nullopt)), "missing_field");
    EXPECT_EQ(code_of(signal_target(group, "ann", std::string("ann"))), "invalid_field");
    ASSERT_TRUE(reject_call(group, "cy", kStart + 1));
    EXPECT_EQ(code_of(signal_target(group, "ann", std::string("cy"))), "not_in_call");
    auto to_bob = signal_target(group, "ann", std::string("bob"));
    ASSERT_TRUE(to_bob);
    EXPECT_EQ((*to_bob)->state, CallerState::ringing);
}

TEST(Call, AbandonedCallsEnd) {
    constexpr TimeMs kMax = 4 * 3600 * 1000;
    auto call = one_to_one();
    EXPECT_EQ(code_of(abandon_call(call, {"bob"}, kStart + 1, kMax)), "call_over") << "ringing: the ring timeout's";
    ASSERT_TRUE(accept_call(call, "bob", "bob-phone", kStart + 1000));
    EXPECT_EQ(code_of(abandon_call(call, {}, kStart + 2000, kMax)), "not_abandoned");
    EXPECT_EQ(call.status, CallStatus::ongoing);

    auto gone = call;
    ASSERT_TRUE(abandon_call(gone, {"bob"}, kStart + 31'000, kMax));
    EXPECT_EQ(gone.status, CallStatus::ended);
    EXPECT_EQ(state_of(gone, "ann"), CallerState::left);
    EXPECT_EQ(state_of(gone, "bob"), CallerState::left);
    EXPECT_EQ(gone.duration_s(), 30);
    EXPECT_EQ(code_of(abandon_call(gone, {"bob"}, kStart + 32'000, kMax)), "call_over") << "a second node: no change";

    auto too_long = call;
    EXPECT_EQ(code_of(abandon_call(too_long, {}, kStart + 1000 + kMax - 1, kMax)), "not_abandoned");
    ASSERT_TRUE(abandon_call(too_long, {}, kStart + 1000 + kMax, kMax));
    EXPECT_EQ(too_long.status, CallStatus::ended);

    // In a group call the one who vanished leaves; the call goes on while two remain.
    auto group = group_of({"ann", "bob", "cat"});
    ASSERT_TRUE(accept_call(group, "bob", "bob-phone", kStart + 1000));
    ASSERT_TRUE(accept_call(group, "cat", "cat-phone", kStart + 2000));
    ASSERT_TRUE(abandon_call(group, {"cat", "nobody"}, kStart + 40'000, kMax));
    EXPECT_EQ(group.status, CallStatus::ongoing);
    EXPECT_EQ(state_of(group, "cat"), CallerState::left);
    ASSERT_TRUE(abandon_call(group, {"bob"}, kStart + 41'000, kMax));
    EXPECT_EQ(group.status, CallStatus::ended);
}

}  // namespace
}  // namespace flow
