// Private: the YAML node behind flr::Config, for library code that walks it directly.
#pragma once

#include <flr/config.hpp>

#include <yaml-cpp/yaml.h>

namespace flr {

struct Config::Impl {
    YAML::Node node;
    std::string source;  // file name
    std::string path;    // dotted path of this node inside the file ("" at the top)
};

}  // namespace flr
