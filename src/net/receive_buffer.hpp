#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace flow::net {

// The I/O thread's receive buffer: every connection served on the thread reads into it
// and decodes in place, so that no connection holds a read buffer of its own. What is
// read is valid until the thread's next read; keep a copy of what must last.
inline std::span<std::byte> receive_buffer() {
    thread_local std::array<std::byte, 64 * 1024> buffer;
    return buffer;
}

}  // namespace flow::net
