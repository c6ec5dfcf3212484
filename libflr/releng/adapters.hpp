// Private: the releng ports over the real service clients (Pagure for tickets and
// dist-git projects, Koji, Bugzilla) and git.
#pragma once

#include "releng/ports.hpp"

#include <flr/bugzilla.hpp>
#include <flr/config.hpp>
#include <flr/koji.hpp>
#include <flr/pagure.hpp>

#include <memory>
#include <string>

namespace flr::releng {

struct Policy;

// Connects lazily: a service is contacted (and its configuration required) only when
// the rules first ask it something.
class ServicePorts {
public:
    ServicePorts(const Config& config, const Policy& policy);
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
