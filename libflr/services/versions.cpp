// component_versions() (<flr/components.hpp>) lives in libflr-releng because it names
// libcurl and pugixml, which libflr does not link (see libflr/CMakeLists.txt).
#include <flr/components.hpp>
#include <flr/version.hpp>

#include <amqp.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace flr {

std::vector<std::pair<std::string, std::string>> component_versions() {
    // curl_version_info() does not initialise libcurl, so this stays cheap.
    const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
    return {
        {"libflr", version()},
        {"rabbitmq-c", amqp_version()},
        {"libcurl", curl && curl->version ? curl->version : "unknown"},
        {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
        {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                      NLOHMANN_JSON_VERSION_PATCH)},
        {"pugixml", fmt::format("{}.{}", PUGIXML_VERSION / 1000, PUGIXML_VERSION % 1000 / 10)},
    };
}

}  // namespace flr
