// Private port: Bugzilla's package review bugs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace flr::releng {

struct ReviewFlag {
    std::string status;  // "+", "?", "-"
    std::string setter;
    std::string date;  // ISO 8601 as Bugzilla gives it
};

struct ReviewBug {
    std::int64_t id = 0;
    std::string summary;
    std::string product;
    std::string component;
    std::string status;
    std::string creator;
    std::string assignee;
    std::optional<ReviewFlag> fedora_review;
};

class ReviewsPort {
public:
    virtual ~ReviewsPort() = default;
    // nullopt when the bug does not exist (or is not visible).
    virtual std::optional<ReviewBug> bug(std::int64_t id) = 0;
    // Add a public comment to the bug.
    virtual void comment(std::int64_t id, const std::string& text) = 0;
    // Whether a comment with exactly this text is already on the bug.
    virtual bool has_comment(std::int64_t id, const std::string& text) = 0;
};

}  // namespace flr::releng
