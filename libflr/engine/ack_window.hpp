// Private: acknowledgements in delivery order. Decisions (ack or reject) are recorded
// as jobs finish and sent in batches: the longest settled prefix goes out as one
// ack with multiple=true; settled deliveries behind a still-running one are acked or
// rejected one by one so a long job never holds back the prefetch window.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

namespace flr::engine {

class AckWindow {
public:
    enum class State : std::uint8_t { pending, ack, reject, sent };
    // Sends one ack (multiple or not) or one reject (never requeued).
    struct Sink {
        std::function<void(std::uint64_t tag, bool multiple)> ack;
        std::function<void(std::uint64_t tag)> reject;
    };

    void add(std::uint64_t tag) { entries_.push_back({tag, State::pending}); }
    void settle(std::uint64_t tag, bool ack);
    // Decisions not yet sent.
    std::size_t unsent() const noexcept { return unsent_; }
    std::size_t size() const noexcept { return entries_.size(); }
    void flush(const Sink& sink);
    // Forget everything (the channel is gone; the broker redelivers what was unacked).
    void clear() noexcept {
        entries_.clear();
        unsent_ = 0;
    }

private:
    struct Entry {
        std::uint64_t tag;
        State state;
    };
    std::deque<Entry> entries_;
    std::size_t unsent_ = 0;
};

}  // namespace flr::engine
