#include "http/multipart_reader.hpp"

#include <algorithm>
#include <cctype>

namespace flow::http {

namespace {

constexpr std::size_t kMaxHeaderBytes = 8 * 1024;

Error malformed(std::string what) { return Error::invalid("invalid_multipart", std::move(what)); }

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// The value of `key=` in a header's parameters (`name="file"`), unquoted.
std::optional<std::string> parameter(std::string_view header, std::string_view key) {
    const auto lowered = lower(header);
    for (std::size_t at = lowered.find(key); at != std::string::npos; at = lowered.find(key, at + 1)) {
        const bool starts = at == 0 || lowered[at - 1] == ';' || lowered[at - 1] == ' ';
        if (!starts || at + key.size() >= header.size() || header[at + key.size()] != '=') continue;
        auto value = header.substr(at + key.size() + 1);
        if (value.starts_with('"')) {
            value.remove_prefix(1);
            return std::string(value.substr(0, value.find('"')));
        }
        return std::string(value.substr(0, value.find_first_of("; \t")));
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    if (!lower(content_type).starts_with("multipart/form-data")) return std::nullopt;
    auto boundary = parameter(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
    return boundary;
}

MultipartReader::MultipartReader(std::string boundary, std::string wanted_part, Sink sink)
    // The body starts with the delimiter without its CRLF: pretend one came before it.
    : delimiter_("\r\n--" + boundary), wanted_(std::move(wanted_part)), sink_(std::move(sink)), buffer_("\r\n") {}

Status MultipartReader::feed(std::string_view bytes) {
    if (state_ == State::done) return Ok{};
    buffer_.append(bytes);
    return parse();
}

Status MultipartReader::parse() {
    for (;;) {
        switch (state_) {
            case State::preamble: {
                const auto at = buffer_.find(delimiter_);
                if (at == std::string::npos) {
                    if (buffer_.size() > kMaxHeaderBytes) return malformed("no multipart boundary found");
                    return Ok{};
                }
                buffer_.erase(0, at + delimiter_.size());
                state_ = State::headers;
                break;
            }
            case State::headers: {
                if (buffer_.size() < 2) return Ok{};
                if (buffer_.starts_with("--")) {  // the closing delimiter
                    state_ = State::done;
                    return Ok{};
                }
                const auto end = buffer_.find("\r\n\r\n");
                if (end == std::string::npos) {
                    if (buffer_.size() > kMaxHeaderBytes) return malformed("a part's headers are too long");
                    return Ok{};
                }
                if (!buffer_.starts_with("\r\n")) return malformed("a boundary must end its line");
                // The CRLF ending the boundary line may itself start the blank line: no headers.
                const auto headers = end < 2 ? std::string_view() : std::string_view(buffer_).substr(2, end - 2);
                auto status = on_headers(headers);
                if (!status) return status;
                buffer_.erase(0, end + 4);
                state_ = State::content;
                break;
            }
            case State::content: {
                const auto at = buffer_.find(delimiter_);
                // Without a delimiter, all but what could be its start is content.
                const auto usable = at != std::string::npos
                                        ? at
                                        : (buffer_.size() > delimiter_.size() ? buffer_.size() - delimiter_.size() : 0);
                if (usable > 0 && in_wanted_) {
                    auto status = sink_(std::string_view(buffer_).substr(0, usable));
                    if (!status) return status;
                }
                if (at == std::string::npos) {
                    buffer_.erase(0, usable);
                    return Ok{};
                }
                buffer_.erase(0, at + delimiter_.size());
                in_wanted_ = false;
                state_ = State::headers;
                break;
            }
            case State::done:
                return Ok{};
        }
    }
}

Status MultipartReader::on_headers(std::string_view headers) {
    std::optional<std::string> name;
    for (std::size_t start = 0; start < headers.size();) {
        auto end = headers.find("\r\n", start);
        if (end == std::string_view::npos) end = headers.size();
        const auto line = headers.substr(start, end - start);
        if (lower(line).starts_with("content-disposition:")) name = parameter(line, "name");
        start = end + 2;
    }
    if (!name) return malformed("a part has no Content-Disposition name");
    in_wanted_ = *name == wanted_ && !found_;
    found_ = found_ || in_wanted_;
    return Ok{};
}

Status MultipartReader::finish() {
    if (state_ != State::done) return malformed("the multipart body ends before its closing boundary");
    if (!found_) return Error::invalid("missing_field", "the form has no part named " + wanted_);
    return Ok{};
}

}  // namespace flow::http
