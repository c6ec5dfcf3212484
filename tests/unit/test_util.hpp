// Helpers shared by unit tests: a private temporary directory removed at the end
// (core/fs's TempDir, with paths as std::filesystem::path).
#pragma once

#include "core/fs.hpp"

#include <filesystem>
#include <string>

namespace flr::test {

class TempDir {
public:
    TempDir() : dir_("flr-test") {}
    std::filesystem::path path() const { return dir_.path(); }
    std::string file(const std::string& name) const { return dir_.file(name); }

private:
    fs::TempDir dir_;
};

}  // namespace flr::test
