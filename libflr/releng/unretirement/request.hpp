// Private: recognising unretirement tickets in the releng queue.
//
// Accepted forms (documented in flr-check-unretirement(1)):
//  - the body of `fedpkg request-unretirement`: a JSON object in a ``` fence with
//    "action": "unretirement", "name" (or "package"/"repo"), "type" (or "namespace"),
//    "branches", optional "review_bugzilla" (or "bug") and "maintainer" (or "requester");
//  - a ticket titled "Unretire <ns>/<pkg>" or "Unretire <pkg>" (namespace rpms); its body
//    may name a review bug (a bugzilla.redhat.com link or "rhbz#N").
#pragma once

#include "releng/ports/repo.hpp"
#include "releng/ports/tickets.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flr::releng::unretirement {

struct UnretirementRequest {
    std::string form;  // "fedpkg" or "title"
    RepoRef repo;
    std::vector<std::string> branches;  // empty: the default (rawhide)
    std::optional<std::int64_t> bug;
    std::string requester;  // the maintainer named in the body, else the ticket's author
};

struct TicketParse {
    enum class Kind { request, other, malformed };
    Kind kind = Kind::other;
    UnretirementRequest request;  // valid for Kind::request
    std::string reason;           // why malformed
};

TicketParse parse_ticket(const std::string& title, const std::string& body, const std::string& author);

struct BugReference {
    std::int64_t id = 0;
    std::string source;  // "the ticket body", "a comment by jdoe"
};

// The review bug of a request: the newest comment that names one (a bugzilla.redhat.com
// link or rhbz#N) wins over the body; flr's own reports (comments opening with
// "## Unretire") are skipped.
std::optional<BugReference> review_bug(const std::optional<std::int64_t>& from_body,
                                       const std::vector<TicketComment>& comments);

}  // namespace flr::releng::unretirement
