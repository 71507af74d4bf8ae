#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace flow::logs {

// How log lines are written: spdlog's text lines, or one JSON object a line (time,
// level, msg, and the named fields of a Line) for log shippers.
enum class Format { text, json };

// Sets the format and level of every log line from here on; once, at start, before
// other threads log.
void configure(Format format, spdlog::level::level_enum level);

// A log line of named values: as text `msg key=value ...` (values quoted when they hold
// a space or a quote), as JSON the object's fields beside `msg`. Not for secrets.
class Line {
public:
    explicit Line(std::string_view msg) : msg_(msg) {}

    Line& add(std::string_view key, std::string_view value);
    Line& add(std::string_view key, std::int64_t value);
    // A figure with two decimals (durations in milliseconds).
    Line& add_fixed(std::string_view key, double value);

    void write(spdlog::level::level_enum level) const;

private:
    std::string msg_;
    std::string fields_;  // in the configured format: " key=value ..." or ",\"key\":value..."
};

}  // namespace flow::logs
