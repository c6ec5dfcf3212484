// Image manifests and indexes: parsing what registries and sources hand us, and
// GET/HEAD/PUT with exact media types and a verified Docker-Content-Digest.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace flr::registry {
namespace {

[[noreturn]] void invalid(const std::string& why) {
    throw RemoteError("registry", "invalid manifest: " + why);
}

Descriptor descriptor(const nlohmann::json& j, const char* what) {
    if (!j.is_object()) {
        invalid(fmt::format("{} is not an object", what));
    }
    auto str = [&](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Descriptor d;
    d.media_type = str("mediaType");
    d.digest = str("digest");
    if (!valid_digest(d.digest)) {
        invalid(fmt::format("{} has no valid sha256 digest", what));
    }
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_unsigned()) {
        invalid(fmt::format("{} {} has no size", what, d.digest));
    }
    d.size = size->get<std::uint64_t>();
    if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
        d.platform = *p;
    }
    return d;
}

}  // namespace

bool valid_digest(std::string_view d) {
    return d.size() == 71 && d.starts_with("sha256:") &&
           std::all_of(d.begin() + 7, d.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string digest_of(std::string_view bytes) {
    return "sha256:" + http::Sha256::hex_of(bytes);
}

Manifest parse_manifest(std::string_view body, std::string_view content_type) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        invalid("not a JSON object");
    }
    if (!j.contains("schemaVersion") || j["schemaVersion"] != 2) {
        invalid("schemaVersion is not 2");
    }
    Manifest m;
    if (auto t = j.find("mediaType"); t != j.end() && t->is_string()) {
        m.media_type = t->get<std::string>();
    }
    std::string type(content_type.substr(0, content_type.find(';')));
    if (m.media_type.empty()) {
        m.media_type = !type.empty() && type != "application/json" && type != "application/octet-stream"
                           ? type
                           : std::string(j.contains("manifests") ? oci_index : oci_manifest);
    }
    if (m.media_type == oci_index || m.media_type == docker_list) {
        m.index = true;
        if (!j.contains("manifests") || !j["manifests"].is_array()) {
            invalid("an index without manifests");
        }
        for (const auto& entry : j["manifests"]) {
            m.children.push_back(descriptor(entry, "an index entry"));
        }
        return m;
    }
    if (m.media_type != oci_manifest && m.media_type != docker_manifest) {
        invalid(fmt::format("unsupported media type {}", m.media_type));
    }
    if (!j.contains("config")) {
        invalid("an image manifest without config");
    }
    m.config = descriptor(j["config"], "the config");
    if (!j.contains("layers") || !j["layers"].is_array()) {
        invalid("an image manifest without layers");
    }
    for (const auto& layer : j["layers"]) {
        m.layers.push_back(descriptor(layer, "a layer"));
    }
    return m;
}

Fetched get_manifest(Endpoint& endpoint, http::Session& session, const std::string& repo, const std::string& ref) {
    http::Transfer t;
    auto make = [&] {
        t = {};
        t.url = endpoint.url(fmt::format("/v2/{}/manifests/{}", repo, ref));
        t.headers.emplace_back("Accept", manifest_accept());
        t.limit = 4U << 20U;
        return t;
    };
    auto out = endpoint.send(session, make);
    if (!out.transport_ok() || out.response.status != 200) {
        endpoint.fail(session, t, out);
    }
    Fetched f{std::move(out.response.body), out.response.content_type, {}};
    f.digest = digest_of(f.bytes);
    if (ref.starts_with("sha256:") && f.digest != ref) {
        throw RemoteError("registry", fmt::format("{}: the manifest's digest is {}", session.describe(t), f.digest));
    }
    f.media_type = parse_manifest(f.bytes, f.media_type).media_type;
    return f;
}

std::optional<std::string> manifest_digest(Endpoint& endpoint, http::Session& session, const std::string& repo,
                                           const std::string& ref) {
    http::Transfer t;
    auto make = [&] {
        t = {};
        t.method = "HEAD";
        t.url = endpoint.url(fmt::format("/v2/{}/manifests/{}", repo, ref));
        t.headers.emplace_back("Accept", manifest_accept());
        return t;
    };
    auto out = endpoint.send(session, make);
    if (out.transport_ok() && out.response.status == 404) {
        return std::nullopt;
    }
    if (!out.transport_ok() || out.response.status != 200) {
        endpoint.fail(session, t, out);
    }
    std::string digest = out.response.header("docker-content-digest");
    if (!valid_digest(digest)) {
        return get_manifest(endpoint, session, repo, ref).digest;
    }
    return digest;
}

std::string put_manifest(Endpoint& endpoint, http::Session& session, const std::string& repo, const std::string& ref,
                         const std::string& bytes, const std::string& media_type) {
    http::Transfer t;
    auto make = [&] {
        t = {};
        t.method = "PUT";
        t.url = endpoint.url(fmt::format("/v2/{}/manifests/{}", repo, ref));
        t.headers.emplace_back("Content-Type", media_type);
        t.body = bytes;
        return t;
    };
    auto out = endpoint.send(session, make);
    if (!out.transport_ok() || out.response.status != 201) {
        endpoint.fail(session, t, out);
    }
    std::string expected = digest_of(bytes);
    std::string got = out.response.header("docker-content-digest");
    if (!got.empty() && got != expected) {
        throw RemoteError("registry", fmt::format("{}: the registry stored digest {}, expected {}", session.describe(t),
                                                  got, expected));
    }
    return expected;
}

}  // namespace flr::registry
