#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace flow::net::websocket {

// A client frame's masking key, rotated as bytes are unmasked so that key[0] always
// applies to the next payload byte: a frame's payload may be unmasked in pieces (one per
// read) with no separate offset to keep.
using MaskKey = std::array<std::byte, 4>;

// XORs `bytes` with `key` in place (RFC 6455 section 5.3), eight bytes at a time, and
// rotates `key` past them.
void unmask(std::span<std::byte> bytes, MaskKey& key);

}  // namespace flow::net::websocket
