// libFuzzer target: the answers the scm workflow reads: FASJSON users, groups and members,
// RHEL's pkg_el{N}.json, dist-git access lists and branch heads, Bugzilla comments.
#include "services/bugzilla_decode.hpp"
#include "services/fasjson_decode.hpp"
#include "services/pagure_access.hpp"
#include "services/pkg_el_decode.hpp"

#include <cstddef>
#include <cstdint>

namespace {
template <class F>
void attempt(F f) {
    try {
        f();
    } catch (const flr::Error&) {
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) {
        return 0;
    }
    attempt([&] { (void)flr::fasjson::user_from_json(j); });
    attempt([&] { (void)flr::fasjson::groups_from_json(j); });
    attempt([&] { (void)flr::fasjson::members_from_json(j); });
    attempt([&] { (void)flr::pkg_el::release_from_json(j); });
    attempt([&] { (void)flr::pagure::access_from_json(j); });
    attempt([&] { (void)flr::pagure::branch_heads_from_json(j); });
    attempt([&] { (void)flr::bugzilla::comments_from_json(j, 1); });
    return 0;
}
