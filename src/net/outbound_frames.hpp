#pragma once

#include <boost/asio/buffer.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace flow::net {

// What waits to leave one connection: frames, each a few bytes of header of its own and
// a payload shared with every connection it goes to, gathered into one writev. Holds no
// memory while empty, which an idle connection mostly is.
class OutboundFrames {
public:
    // A server's WebSocket frame header (up to 10 bytes) and a few bytes of the
    // message's own before its shared payload (Engine.IO's packet type).
    static constexpr std::size_t kMaxHeader = 14;

    void push(std::span<const std::byte> header, std::shared_ptr<const std::string> payload);

    bool empty() const { return head_ == entries_.size(); }
    // Bytes not written yet, headers included.
    std::size_t bytes() const { return bytes_; }

    // The buffers of what is not written yet, in order, at most out.size(); returns how
    // many it filled.
    std::size_t gather(std::span<boost::asio::const_buffer> out) const;
    // `n` bytes of what gather() gave were written.
    void consume(std::size_t n);
    // Forgets everything (the connection is gone).
    void clear();

private:
    struct Entry {
        std::array<std::byte, kMaxHeader> header;
        std::uint8_t header_size = 0;
        std::shared_ptr<const std::string> payload;
        std::size_t size() const { return header_size + (payload ? payload->size() : 0); }
    };

    std::vector<Entry> entries_;
    std::size_t head_ = 0;     // the first entry not wholly written
    std::size_t written_ = 0;  // bytes of entries_[head_] written
    std::size_t bytes_ = 0;
};

}  // namespace flow::net
