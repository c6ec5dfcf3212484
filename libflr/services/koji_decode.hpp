// Private: Koji XML-RPC answers -> flr types. Throws xmlrpc::Mismatch on bad shapes.
#pragma once

#include "core/xmlrpc.hpp"

#include <flr/koji.hpp>

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

// Koji's exception class name for a fault code ("GenericError" for 1000, ...).
std::string fault_name(std::int64_t code);
// The Fault exception for a decoded fault, its message cleaned of Koji's class prefix.
Fault make_fault(const xmlrpc::Fault& fault);

}  // namespace flr::koji
