// Private port: a ticket queue (pagure.io's releng, fedora-scm-requests, ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flr::releng {

struct TicketComment {
    std::string author;
    std::string text;
};

struct Ticket {
    std::int64_t id = 0;
    std::string url;
    std::string title;
    std::string body;
    std::string author;
    bool open = true;
    std::string close_status;
    std::vector<TicketComment> comments;  // oldest first
};

class TicketsPort {
public:
    virtual ~TicketsPort() = default;
    virtual Ticket ticket(std::int64_t id) = 0;
    virtual std::string url(std::int64_t id) const = 0;
    virtual void comment(std::int64_t id, const std::string& text) = 0;
    virtual void close(std::int64_t id, const std::string& close_status) = 0;
};

}  // namespace flr::releng
