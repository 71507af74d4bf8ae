#include "common/log_format.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <ctime>

namespace flow::logs {

namespace {

Format format_ = Format::text;

// The JSON fields of the Line being written on this thread, for JsonFormatter: spdlog's
// default logger formats on the thread that logs.
thread_local const std::string* line_fields = nullptr;

std::string json_string(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

// {"time":"2026-12-07T12:00:00.123Z","level":"info","msg":"...",...fields}
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto since_epoch = msg.time.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
        const std::time_t t = seconds.count();
        std::tm utc{};
        gmtime_r(&t, &utc);
        const auto level = spdlog::level::to_string_view(msg.level);
        fmt::format_to(std::back_inserter(dest), R"({{"time":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","level":"{}","msg":{})",
                       utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis,
                       std::string_view(level.data(), level.size()),
                       json_string(std::string_view(msg.payload.data(), msg.payload.size())));
        if (line_fields) dest.append(line_fields->data(), line_fields->data() + line_fields->size());
        dest.push_back('}');
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

bool needs_quotes(std::string_view value) {
    return value.empty() || value.find_first_of(" \"=\t\r\n") != std::string_view::npos;
}

// Appends a field whose value is rendered already (quoted or a number) in the format set.
void append_field(std::string& fields, std::string_view key, std::string_view rendered) {
    if (format_ == Format::json) fmt::format_to(std::back_inserter(fields), ",\"{}\":{}", key, rendered);
    else fmt::format_to(std::back_inserter(fields), " {}={}", key, rendered);
}

}  // namespace

void configure(Format format, spdlog::level::level_enum level) {
    format_ = format;
    if (format == Format::json) spdlog::set_formatter(std::make_unique<JsonFormatter>());
    spdlog::set_level(level);
}

Line& Line::add(std::string_view key, std::string_view value) {
    if (format_ == Format::json || needs_quotes(value)) append_field(fields_, key, json_string(value));
    else append_field(fields_, key, value);
    return *this;
}

Line& Line::add(std::string_view key, std::int64_t value) {
    append_field(fields_, key, fmt::format("{}", value));
    return *this;
}

Line& Line::add_fixed(std::string_view key, double value) {
    append_field(fields_, key, fmt::format("{:.2f}", value));
    return *this;
}

void Line::write(spdlog::level::level_enum level) const {
    if (!spdlog::should_log(level)) return;
    if (format_ == Format::text) return spdlog::log(level, "{}{}", msg_, fields_);
    line_fields = &fields_;
    spdlog::log(level, "{}", msg_);
    line_fields = nullptr;
}

}  // namespace flow::logs
