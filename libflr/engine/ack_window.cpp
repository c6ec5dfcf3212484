#include "engine/ack_window.hpp"

#include <algorithm>

namespace flr::engine {

void AckWindow::settle(std::uint64_t tag, bool ack) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), tag,
                               [](const Entry& e, std::uint64_t t) { return e.tag < t; });
    if (it == entries_.end() || it->tag != tag || it->state != State::pending) {
        return;
    }
    it->state = ack ? State::ack : State::reject;
    ++unsent_;
}

void AckWindow::flush(const Sink& sink) {
    if (unsent_ == 0) {
        return;
    }
    // The settled prefix: rejects first, then one multiple ack covering the rest.
    std::uint64_t last_ack = 0;
    std::size_t i = 0;
    for (; i < entries_.size() && entries_[i].state != State::pending; ++i) {
        if (entries_[i].state == State::reject) {
            sink.reject(entries_[i].tag);
        } else if (entries_[i].state == State::ack) {
            last_ack = entries_[i].tag;
        }
    }
    if (last_ack != 0) {
        sink.ack(last_ack, true);
    }
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i));
    // Behind a pending delivery: one by one.
    for (auto& e : entries_) {
        if (e.state == State::ack) {
            sink.ack(e.tag, false);
        } else if (e.state == State::reject) {
            sink.reject(e.tag);
        }
        if (e.state != State::pending) {
            e.state = State::sent;
        }
    }
    unsent_ = 0;
}

}  // namespace flr::engine
