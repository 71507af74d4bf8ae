#pragma once

#include <utility>
#include <variant>

#include "common/error.hpp"

namespace flow {

// A value or the Error that prevented it; what every use case returns. g++ 12 has no
// std::expected in C++20 mode, and this is all Flow needs of it.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

// The outcome of a use case that has nothing to return but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace flow
