// libFuzzer target: JSON answers of Pagure (dist-git access lists and branch heads too),
// Bugzilla, Bodhi, FASJSON and RHEL's pkg_el lists, and error-message extraction.
#include "attempt.hpp"
#include "core/http.hpp"
#include "services/bodhi_decode.hpp"
#include "services/bugzilla_decode.hpp"
#include "services/fasjson_decode.hpp"
#include "services/pagure_access.hpp"
#include "services/pagure_json.hpp"
#include "services/pkg_el_decode.hpp"
#include "services/rest.hpp"

#include <cstddef>
#include <cstdint>

using flr::fuzz::attempt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) {
        return 0;
    }
    (void)flr::services::error_message(j);
    attempt([&] { (void)flr::pagure::issue_from_json(j); });
    attempt([&] { (void)flr::pagure::issue_page_from_json(j); });
    attempt([&] { (void)flr::pagure::project_from_json(j); });
    attempt([&] { (void)flr::pagure::branches_from_json(j); });
    attempt([&] { (void)flr::bugzilla::bug_from_json(j); });
    attempt([&] { (void)flr::bodhi::update_page_from_json(j); });
    attempt([&] { (void)flr::fasjson::user_from_json(j); });
    attempt([&] { (void)flr::fasjson::groups_from_json(j); });
    attempt([&] { (void)flr::fasjson::members_from_json(j); });
    attempt([&] { (void)flr::pkg_el::release_from_json(j); });
    attempt([&] { (void)flr::pagure::access_from_json(j); });
    attempt([&] { (void)flr::pagure::branch_heads_from_json(j); });
    attempt([&] { (void)flr::bugzilla::comments_from_json(j, 1); });
    return 0;
}
