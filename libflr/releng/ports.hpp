// Private: the narrow interfaces ("ports") the release-engineering workflows need from
// the outside world, one per capability (ports/*.hpp). The rules see only these;
// adapters.hpp maps them onto the service clients and git, and unit tests replace them
// with in-memory fakes. A workflow uses the members it needs and ignores the others.
#pragma once

#include "releng/ports/accounts.hpp"
#include "releng/ports/clock.hpp"
#include "releng/ports/history.hpp"
#include "releng/ports/images.hpp"
#include "releng/ports/koji.hpp"
#include "releng/ports/projects.hpp"
#include "releng/ports/repo.hpp"
#include "releng/ports/repos.hpp"
#include "releng/ports/reviews.hpp"
#include "releng/ports/rhel.hpp"
#include "releng/ports/tickets.hpp"
#include "releng/ports/updates.hpp"

namespace flr::releng {

struct Ports {
    HistoryPort* history = nullptr;
    KojiPackagesPort* koji = nullptr;
    ReviewsPort* reviews = nullptr;
    ProjectsPort* projects = nullptr;
    TicketsPort* tickets = nullptr;
    const Clock* clock = nullptr;
    ImagesPort* images = nullptr;
    UpdatesPort* updates = nullptr;
    AccountsPort* accounts = nullptr;
    ReposPort* repos = nullptr;
    RhelPort* rhel = nullptr;
};

}  // namespace flr::releng
