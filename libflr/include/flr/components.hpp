// The libraries flr was built with, for bug reports (flr-version(1)). Defined in
// libflr-releng, which links every one of them; <flr/version.hpp> is libflr's.
#pragma once

#include <flr/export.hpp>

#include <string>
#include <utility>
#include <vector>

namespace flr {

// Name and version of libflr and of each library it was built with.
FLR_EXPORT std::vector<std::pair<std::string, std::string>> component_versions();

}  // namespace flr
