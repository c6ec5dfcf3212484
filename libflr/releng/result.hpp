// Private: errors as values for the decoders and validators of outside data. A decoder
// returns Result<T>; the boundary that has to stop turns a problem into an flr::Error
// with value_or_throw().
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace flr::releng {

// Why a value from outside was refused: one line, naming the value.
struct Problem {
    std::string message;
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Result(Problem problem) : v_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    const T& value() const { return std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const T& operator*() const { return value(); }
    const T* operator->() const { return &value(); }
    const std::string& error() const { return std::get<1>(v_).message; }
    const Problem& problem() const { return std::get<1>(v_); }

    // At a boundary: the value, or the problem thrown as `E` (an flr::Error).
    template <class E>
    const T& value_or_throw() const {
        if (!ok()) {
            throw E(error());
        }
        return value();
    }

private:
    std::variant<T, Problem> v_;
};

// A check that has no value to give back.
struct Valid {};

}  // namespace flr::releng
