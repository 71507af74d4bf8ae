#include "net/outbound_frames.hpp"

#include <algorithm>
#include <cassert>

namespace flow::net {

namespace asio = boost::asio;

void OutboundFrames::push(std::span<const std::byte> header, std::shared_ptr<const std::string> payload) {
    assert(header.size() <= kMaxHeader);
    Entry entry;
    std::copy(header.begin(), header.end(), entry.header.begin());
    entry.header_size = static_cast<std::uint8_t>(header.size());
    entry.payload = std::move(payload);
    bytes_ += entry.size();
    entries_.push_back(std::move(entry));
}

std::size_t OutboundFrames::gather(std::span<asio::const_buffer> out) const {
    std::size_t filled = 0;
    std::size_t skip = written_;  // of the first entry
    for (std::size_t i = head_; i < entries_.size() && filled < out.size(); ++i) {
        const Entry& entry = entries_[i];
        if (skip < entry.header_size)
            out[filled++] = asio::buffer(entry.header.data() + skip, entry.header_size - skip);
        const std::size_t payload_skip = skip > entry.header_size ? skip - entry.header_size : 0;
        if (entry.payload && payload_skip < entry.payload->size() && filled < out.size())
            out[filled++] = asio::buffer(entry.payload->data() + payload_skip, entry.payload->size() - payload_skip);
        skip = 0;
    }
    return filled;
}

void OutboundFrames::consume(std::size_t n) {
    bytes_ -= n;
    while (n > 0) {
        const std::size_t left = entries_[head_].size() - written_;
        if (n < left) {
            written_ += n;
            return;
        }
        n -= left;
        entries_[head_].payload.reset();
        ++head_;
        written_ = 0;
    }
    if (empty()) return clear();
    // A queue that never empties drops what it wrote now and then.
    if (head_ >= 32 && head_ * 2 >= entries_.size()) {
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

void OutboundFrames::clear() {
    // An idle connection holds nothing: a large queue's memory goes back too.
    if (entries_.capacity() > 16) std::vector<Entry>().swap(entries_);
    else entries_.clear();
    head_ = 0;
    written_ = 0;
    bytes_ = 0;
}

}  // namespace flow::net
