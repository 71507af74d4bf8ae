#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace flow::http {

// Runs `work` on the blocking pool (disk, database, outside calls) and resumes the
// calling coroutine on its own executor with the result, so no I/O thread ever waits.
// Exceptions thrown by `work` come out of the co_await.
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> offload(boost::asio::thread_pool& pool,
                                                             Work work) {
    using Value = std::invoke_result_t<Work&>;
    // co_spawn hands its result back by value even on failure, so it must be default
    // constructible: wrap it.
    auto result = co_await boost::asio::co_spawn(
        pool,
        [&work]() -> boost::asio::awaitable<std::optional<Value>> { co_return work(); },
        boost::asio::use_awaitable);
    co_return std::move(*result);
}

}  // namespace flow::http
