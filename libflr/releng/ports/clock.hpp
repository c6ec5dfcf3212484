// Private port: the time, so that rules about ages are tested at a fixed instant.
#pragma once

#include <cstdint>

namespace flr::releng {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t now() const = 0;  // unix time
};

}  // namespace flr::releng
