// Private: the pieces of the OCI registry client (flr/registry.hpp).
//   registry_auth.cpp       challenges, containers-auth.json, the authenticated Endpoint
//   registry_manifests.cpp  manifest and index parsing, manifest GET/HEAD/PUT
//   registry_blobs.cpp      HEAD-skip, mount, monolithic and chunked upload, resume
//   registry_sources.cpp    OCI layout, OCI archive, docker-archive, another registry
//   registry_push.cpp       push, index, promote: the parallel orchestration
#pragma once

#include "core/http_stream.hpp"

#include <flr/registry.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::registry {

// ---- media types
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer = "application/vnd.docker.image.rootfs.diff.tar";
// The Accept header for manifest requests.
std::string manifest_accept();

// ---- auth
struct Challenge {
    std::string scheme;                         // lower-cased: "bearer", "basic"
    std::map<std::string, std::string> params;  // realm, service, scope (names lower-cased)
};
// Parse a WWW-Authenticate value (RFC 7235 auth-params, quoted strings). Throws RemoteError.
std::vector<Challenge> parse_challenges(std::string_view header);

struct Credential {
    std::string user;
    std::string password;
};
// The `auths` of a containers-auth.json text: registry -> user and password. Throws ConfigError.
std::map<std::string, Credential> parse_auth_json(std::string_view text);
// The credential for `registry` from `path` (mode 0600 or stricter), if any.
std::optional<Credential> load_credential(const std::string& path, const std::string& registry);

std::string base64_encode(std::string_view data);
std::string base64_decode(std::string_view data);  // throws ConfigError on bad input

// The `errors[]` message of a registry answer, one line; empty when none.
std::string registry_message(std::string_view body);

// The authenticated, retrying link to one registry, shared by worker threads.
class Endpoint {
public:
    Endpoint(std::string registry, const Options& options, std::vector<std::string> scopes);
    const std::string& registry() const noexcept { return registry_; }
    const Options& options() const noexcept { return options_; }
    std::string url(std::string_view path) const { return base_ + std::string(path); }
    std::unique_ptr<http::Session> session() const;

    // Send the transfer `make` builds, authenticating on a 401 challenge; with `retry`,
    // also retrying transient failures with capped backoff (honouring Retry-After).
    // `attempts` counts the attempts made.
    http::Outcome send(http::Session& session, const std::function<http::Transfer()>& make, bool retry = true,
                       int* attempts = nullptr);
    // Add the current credentials to a transfer.
    void authorize(http::Transfer& transfer) const;
    // Wait before attempt `n` (1-based) after `outcome`.
    void back_off(int n, const http::Outcome& outcome) const;
    // The one-line RemoteError for a failed exchange.
    [[noreturn]] void fail(const http::Session& session, const http::Transfer& transfer,
                           const http::Outcome& outcome) const;

private:
    // Answer a 401: fetch a token or choose Basic. False when nothing new can be tried.
    bool authenticate(http::Session& session, const http::Response& response, const std::string& used);

    std::string registry_;
    std::string base_;
    Options options_;
    std::vector<std::string> scopes_;
    std::optional<Credential> credential_;
    std::shared_ptr<http::Pool> pool_;
    mutable std::mutex mutex_;
    std::string authorization_;
};

// ---- manifests
struct Descriptor {
    std::string media_type;
    std::string digest;
    std::uint64_t size = 0;
    nlohmann::json platform;  // index entries only
};

struct Manifest {
    std::string media_type;
    bool index = false;
    Descriptor config;                 // images
    std::vector<Descriptor> layers;    // images
    std::vector<Descriptor> children;  // indexes
};

// Throws RemoteError on anything that is not a valid image manifest or index.
Manifest parse_manifest(std::string_view body, std::string_view content_type);
bool valid_digest(std::string_view digest);
std::string digest_of(std::string_view bytes);

struct Fetched {
    std::string bytes;
    std::string media_type;
    std::string digest;
};
Fetched get_manifest(Endpoint& endpoint, http::Session& session, const std::string& repo, const std::string& ref);
// The digest `ref` points at, or nothing when it does not exist.
std::optional<std::string> manifest_digest(Endpoint& endpoint, http::Session& session, const std::string& repo,
                                           const std::string& ref);
// PUT and verify the Docker-Content-Digest the registry returns; returns the digest.
std::string put_manifest(Endpoint& endpoint, http::Session& session, const std::string& repo, const std::string& ref,
                         const std::string& bytes, const std::string& media_type);

// ---- sources
class BlobStream {
public:
    virtual ~BlobStream() = default;
    // Up to `size` bytes; 0 at the end.
    virtual std::size_t read(char* out, std::size_t size) = 0;
};

class Source {
public:
    virtual ~Source() = default;
    // The top manifest or index.
    virtual Fetched root() = 0;
    // A manifest an index names.
    virtual std::string manifest(const Descriptor& descriptor) = 0;
    // A blob's bytes from `offset` on.
    virtual std::unique_ptr<BlobStream> open(const Descriptor& descriptor, std::uint64_t offset) = 0;
    // A repository on `registry` that holds the blobs (a registry source), else empty.
    virtual std::string mount_from(const std::string& registry) const = 0;
};

std::unique_ptr<Source> open_source(const std::string& spec, const Options& options);

// ---- blobs
struct BlobJob {
    Descriptor blob;
    std::string repo;        // the target repository
    std::string mount_from;  // a repository on the same registry that may hold it
};
// Make `job.blob` present in the target: HEAD, mount, or upload (resuming after failures).
BlobAction transfer_blob(Endpoint& endpoint, http::Session& session, Source& source, const BlobJob& job,
                         const std::function<void(const ProgressEvent&)>& progress);

}  // namespace flr::registry
