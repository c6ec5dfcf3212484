// Private: the releng ports over the real service clients (Pagure for tickets and
// dist-git projects, Koji, Bugzilla), git and the system clock. They know no workflow's
// policy: a workflow says which ticket queue and which git identity it uses.
#pragma once

#include "releng/ports.hpp"

#include <flr/bugzilla.hpp>
#include <flr/config.hpp>
#include <flr/git.hpp>

#include <memory>
#include <string>

namespace flr::releng {

struct ServiceSettings {
    std::string ticket_project = "releng";  // the pagure.io project of the ticket queue
    git::Identity identity;                 // who commits to dist-git
};

// Connects lazily: a service is contacted (and its configuration required) only when
// the rules first ask it something.
class ServicePorts {
public:
    ServicePorts(const Config& config, ServiceSettings settings);
    ~ServicePorts();
    ServicePorts(const ServicePorts&) = delete;
    ServicePorts& operator=(const ServicePorts&) = delete;

    Ports ports();
    TicketsPort& tickets();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flr::releng
