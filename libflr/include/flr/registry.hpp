// A client of the OCI distribution API: push images from local sources, build
// multi-arch indexes, and promote images between repositories and registries.
// Blobs already present are skipped, blobs another repository on the same registry
// holds are mounted, the rest are uploaded in parallel, streamed, and resumed after
// a failure from the offset the registry reports.
#pragma once

#include <flr/export.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flr::registry {

// "host[:port]/repo/name:tag", "host/repo@sha256:..." (a "docker://" prefix is allowed).
struct FLR_EXPORT Reference {
    std::string registry;    // "quay.io", "localhost:5000"
    std::string repository;  // "fedora/fedora"
    std::string tag;         // empty when only a digest is given
    std::string digest;      // "sha256:<hex>" or empty

    // Throws UsageError on a malformed reference.
    static Reference parse(std::string_view text);
    // The tag, or else the digest.
    const std::string& reference() const noexcept { return tag.empty() ? digest : tag; }
    std::string str() const;
};

struct ProgressEvent {
    std::string digest;
    std::string action;  // "upload", "mount", "exists", ...
    std::uint64_t done = 0;
    std::uint64_t total = 0;
    bool finished = false;
    double seconds = 0;  // since the blob was started (when finished)
};

struct Options {
    std::string auth_file;    // containers-auth.json (mode 0600 or stricter); empty: anonymous
    std::string ca_bundle;    // empty: the system's
    bool plain_http = false;  // speak http:// instead of https:// (private test registries)
    bool dry_run = false;     // say what would happen; change nothing
    int parallel = 4;         // blobs uploaded at once
    int retries = 5;          // extra attempts per request after a transient failure
    std::chrono::milliseconds backoff{500};
    std::chrono::milliseconds backoff_cap{10000};
    std::uint64_t chunk_size = 64ULL << 20U;             // blobs larger than this go up in chunks this big
    std::function<void(const ProgressEvent&)> progress;  // called from worker threads, serialised
};

struct BlobAction {
    std::string digest;
    std::string media_type;
    std::uint64_t size = 0;
    std::string action;  // exists, mounted, uploaded, copied; with --dry-run: would-mount, would-upload
    std::string from;    // the repository mounted from, when mounted
    std::uint64_t bytes_sent = 0;
    double seconds = 0;
    int attempts = 0;
};

struct ManifestAction {
    std::string reference;  // "host/repo:tag" or "host/repo@digest"
    std::string digest;
    std::string media_type;
    std::string action;  // pushed, unchanged; with --dry-run: would-push
};

struct Report {
    std::vector<BlobAction> blobs;
    std::vector<ManifestAction> manifests;
    double seconds = 0;
};

// Push an image (or an index and its images) from `source` to `dest`'s tag and `extra_tags`.
// source: an OCI layout directory ("dir" or "oci:dir[:ref]"), an OCI archive
// ("oci-archive:file", also recognised by its .tar/.tar.gz/.tar.xz contents), a
// docker-archive ("docker-archive:file") or another registry ("docker://ref").
FLR_EXPORT Report push(const std::string& source, const Reference& dest, const std::vector<std::string>& extra_tags,
                       const Options& options);
// Build an OCI index from per-arch images already in the registry and push it to `dest`.
// arch_images: (arch, reference) pairs; arch is a Fedora or an OCI name (x86_64, amd64, ...).
FLR_EXPORT Report push_index(const Reference& dest, const std::vector<std::pair<std::string, Reference>>& arch_images,
                             const Options& options);
// Copy a manifest or index and everything under it, mounting wherever it can.
FLR_EXPORT Report promote(const Reference& source, const Reference& dest, const Options& options);

}  // namespace flr::registry
