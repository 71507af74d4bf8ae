// Reports (domain/report.hpp): what a report may say before anything is looked up, and
// how /metrics counts them.
#include "domain/report.hpp"

#include <gtest/gtest.h>

#include "common/metrics.hpp"

namespace flow {
namespace {

std::vector<std::string> ids(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("m" + std::to_string(i));
    return out;
}

TEST(Report, ReasonsNameThemselvesAndNothingElse) {
    for (auto reason : kReportReasons) EXPECT_EQ(report_reason_from(to_string(reason)), reason);
    for (const char* name : {"", "Spam", "harassment", "other "}) EXPECT_EQ(report_reason_from(name), std::nullopt);
}

TEST(Report, NobodyReportsThemself) {
    NewReport report;
    const auto refused = validate_new_report("ann", "ann", report);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "self_report");
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument);
    EXPECT_TRUE(validate_new_report("ann", "bob", report));
}

TEST(Report, AtMostTwentyDistinctMessagesRepeatsCountingOnceInTheOrderFirstNamed) {
    NewReport report{ReportReason::spam, ids(20), ""};
    report.message_ids.push_back("m3");
    report.message_ids.insert(report.message_ids.begin(), "m19");
    ASSERT_TRUE(validate_new_report("ann", "bob", report));
    auto expected = ids(20);
    expected.erase(expected.begin() + 19);
    expected.insert(expected.begin(), "m19");
    EXPECT_EQ(report.message_ids, expected);

    NewReport too_many{ReportReason::spam, ids(21), ""};
    const auto refused = validate_new_report("ann", "bob", too_many);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "too_many_messages");
}

TEST(Report, ANoteIsAtMostAThousandCharactersNotBytes) {
    std::string note;
    for (int i = 0; i < 1000; ++i) note += "\xC3\xA9";  // é
    NewReport report{ReportReason::other, {}, note};
    EXPECT_TRUE(validate_new_report("ann", "bob", report));
    report.note += "x";
    const auto refused = validate_new_report("ann", "bob", report);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "too_long");
}

TEST(Report, MetricsCountReportsByReasonFromZero) {
    Metrics metrics;
    metrics.report("spam", 0);
    metrics.report("abuse");
    metrics.report("abuse");
    const auto text = metrics.render();
    EXPECT_NE(text.find("# TYPE flow_reports_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("flow_reports_total{reason=\"spam\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("flow_reports_total{reason=\"abuse\"} 2\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace flow
