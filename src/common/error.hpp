#pragma once

#include <optional>
#include <string>

namespace flow {

// What kind of failure an Error is. Each transport maps a kind to its wire form once
// (an HTTP status, an ack error); the domain never sees a status code.
enum class ErrorKind {
    invalid_argument,
    unauthorized,
    forbidden,
    not_found,
    conflict,
    too_large,
    unsupported,
    rate_limited,
    unavailable,
    internal,
};

// A failure a client can act on: its kind, a snake_case code that clients branch on
// (`otp_locked`, `missing_field`), a short human message and, for rate limits, when to
// come back. A plain value, safe to copy across threads.
struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string code;
    std::string message;
    std::optional<long long> retry_after_s;

    static Error invalid(std::string code, std::string message) {
        return {ErrorKind::invalid_argument, std::move(code), std::move(message), {}};
    }
    static Error not_found(std::string message) {
        return {ErrorKind::not_found, "not_found", std::move(message), {}};
    }
    static Error conflict(std::string code, std::string message) {
        return {ErrorKind::conflict, std::move(code), std::move(message), {}};
    }
    static Error unauthorized(std::string code, std::string message) {
        return {ErrorKind::unauthorized, std::move(code), std::move(message), {}};
    }
    static Error forbidden(std::string code, std::string message) {
        return {ErrorKind::forbidden, std::move(code), std::move(message), {}};
    }
    static Error rate_limited(std::string code, std::string message, long long retry_after_s) {
        return {ErrorKind::rate_limited, std::move(code), std::move(message), retry_after_s};
    }
    static Error unavailable(std::string code, std::string message) {
        return {ErrorKind::unavailable, std::move(code), std::move(message), {}};
    }
    static Error internal(std::string message) {
        return {ErrorKind::internal, "internal", std::move(message), {}};
    }
};

}  // namespace flow
