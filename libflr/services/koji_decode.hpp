// Private: Koji XML-RPC answers -> flr types. Throws xmlrpc::Mismatch on bad shapes.
#pragma once

#include "core/xmlrpc.hpp"

#include <flr/koji.hpp>

#include <optional>
#include <vector>

namespace flr::koji {

Build build_from(const xmlrpc::Value& v);
Tag tag_from(const xmlrpc::Value& v);
PackageEntry package_from(const xmlrpc::Value& v);
Archive archive_from(const xmlrpc::Value& v);
Rpm rpm_from(const xmlrpc::Value& v);
Task task_from(const xmlrpc::Value& v);

// An array of structs decoded one by one.
template <class F>
auto list_from(const xmlrpc::Value& v, F f) {
    std::vector<decltype(f(v))> out;
    for (const auto& item : v.as_array()) {
        out.push_back(f(item));
    }
    return out;
}

// Multicall answers read in place, from Response's tape straight into flr types, without a
// Value tree: for the big answers (listRPMs of an image's archives, getBuild and
// getLatestBuilds for thousands of packages). Each gives one result per call when the
// answer is in the plain form and every call answered [value] of the right shape, with
// exactly what the Value decoders above give; nullopt for anything else (a fault, a bad
// answer, another form), which the caller then decodes through Value (Answer::decode).
using Answer = xmlrpc::Response;
std::optional<std::vector<std::vector<Rpm>>> rpm_lists_in_place(const Answer& answer);      // listRPMs
std::optional<std::vector<std::vector<Build>>> build_lists_in_place(const Answer& answer);  // getLatestBuilds
std::optional<std::vector<std::optional<Build>>> builds_in_place(const Answer& answer);     // getBuild

// Koji's exception class name for a fault code ("GenericError" for 1000, ...).
std::string fault_name(std::int64_t code);
// The Fault exception for a decoded fault, its message cleaned of Koji's class prefix.
Fault make_fault(const xmlrpc::Fault& fault);

}  // namespace flr::koji
