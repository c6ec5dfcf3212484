// Private: the publish port over core/http_stream (streamed downloads) and the OCI
// registry client (flr/registry.hpp).
#pragma once

#include "releng/ports/publish.hpp"

#include <flr/config.hpp>
#include <flr/registry.hpp>

#include <memory>

namespace flr::releng {

// Downloads use the `koji` section's http settings and CA; pushes use `options`.
std::unique_ptr<PublishPort> registry_publisher(const Config& config, registry::Options options);

}  // namespace flr::releng
