#include "releng/rpmver.hpp"

#include <rpm/rpmver.h>

#include <memory>

namespace flr::releng {

namespace {

struct VerFree {
    void operator()(rpmver v) const noexcept { rpmverFree(v); }
};
using Ver = std::unique_ptr<std::remove_pointer_t<rpmver>, VerFree>;

Ver make(const Evr& v) {
    std::string epoch = v.epoch ? std::to_string(*v.epoch) : std::string();
    return Ver(rpmverNew(v.epoch ? epoch.c_str() : nullptr, v.version.c_str(),
                         v.release.empty() ? nullptr : v.release.c_str()));
}

}  // namespace

std::string Evr::str() const {
    std::string out = epoch ? std::to_string(*epoch) + ":" + version : version;
    return release.empty() ? out : out + "-" + release;
}

int compare_evr(const Evr& a, const Evr& b) {
    Ver va = make(a);
    Ver vb = make(b);
    if (!va || !vb) {  // librpm refuses an empty version: it sorts first
        return (va ? 1 : 0) - (vb ? 1 : 0);
    }
    return rpmverCmp(va.get(), vb.get());
}

std::optional<Nvr> split_nvr(std::string_view nvr) {
    auto r = nvr.rfind('-');
    if (r == std::string_view::npos || r == 0 || r + 1 == nvr.size()) {
        return std::nullopt;
    }
    auto v = nvr.rfind('-', r - 1);
    if (v == std::string_view::npos || v == 0 || v + 1 == r) {
        return std::nullopt;
    }
    return Nvr{std::string(nvr.substr(0, v)),
               Evr{std::nullopt, std::string(nvr.substr(v + 1, r - v - 1)), std::string(nvr.substr(r + 1))}};
}

}  // namespace flr::releng
