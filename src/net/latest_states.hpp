#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace flow::net {

// Bytes a socket's queue may hold and still take a state: past them the client is
// behind, and a state would only wait behind what it has not read.
inline constexpr std::size_t kStatesQueueBytes = 64 * 1024;

// Typing and presence are states, not history: a device that has not been written to yet
// needs only the latest state of each (of a user in a chat, of a user). A socket keeps
// them here rather than in its queue of messages: a newer state takes the place of an
// older one not yet sent, they leave after what is queued at the next write, and they
// never count against the queue's bound (a socket takes none while its queue is behind).
template <class Frame>
class LatestStates {
public:
    // States of more keys than this wait for the next write; others are dropped.
    static constexpr std::size_t kMaxKeys = 64;

    // Keeps `frame` as the latest state for `key`; false when it was dropped (too many keys).
    bool put(std::string key, Frame frame) {
        for (auto& [held_key, held] : held_)
            if (held_key == key) {
                held = std::move(frame);
                return true;
            }
        if (held_.size() >= kMaxKeys) return false;
        held_.emplace_back(std::move(key), std::move(frame));
        return true;
    }

    bool empty() const { return held_.empty(); }

    // Appends the states held, in the order their keys first came, and forgets them.
    void take_into(std::vector<Frame>& out) {
        for (auto& entry : held_) out.push_back(std::move(entry.second));
        held_.clear();
    }

    void clear() { held_.clear(); }

private:
    std::vector<std::pair<std::string, Frame>> held_;
};

}  // namespace flow::net
