// push, push_index and promote: plan the blobs under a manifest or index, make each
// present in the target with a pool of workers, then PUT the manifests bottom-up.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

namespace flr::registry {
namespace {

using Clock = std::chrono::steady_clock;

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/';
}

bool valid_tag(std::string_view t) {
    return !t.empty() && t.size() <= 128 && t.front() != '.' && t.front() != '-' &&
           std::all_of(t.begin(), t.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
           });
}

struct Plan {
    Fetched root;
    Manifest top;
    std::vector<std::pair<Descriptor, std::string>> children;  // index entries and their bytes
    std::vector<Descriptor> blobs;
};

Plan plan(Source& source) {
    Plan p;
    p.root = source.root();
    p.top = parse_manifest(p.root.bytes, p.root.media_type);
    std::set<std::string> seen;
    auto add = [&](const Manifest& m) {
        std::vector<Descriptor> all{m.config};
        all.insert(all.end(), m.layers.begin(), m.layers.end());
        for (const auto& d : all) {
            if (seen.insert(d.digest).second) {
                p.blobs.push_back(d);
            }
        }
    };
    if (!p.top.index) {
        add(p.top);
        return p;
    }
    for (const auto& child : p.top.children) {
        std::string bytes = source.manifest(child);
        Manifest m = parse_manifest(bytes, child.media_type);
        if (m.index) {
            throw Error(fmt::format("{}: nested indexes are not supported", child.digest));
        }
        add(m);
        p.children.emplace_back(child, std::move(bytes));
    }
    return p;
}

// Make every blob present, `parallel` at a time; the first failure stops the rest.
std::vector<BlobAction> transfer_all(Endpoint& ep, Source& source, const std::vector<Descriptor>& blobs,
                                     const std::string& repo, const std::string& mount_from) {
    const Options& o = ep.options();
    std::vector<BlobAction> out(blobs.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first;
    std::mutex mutex;
    std::function<void(const ProgressEvent&)> progress;
    if (o.progress) {
        progress = [&](const ProgressEvent& e) {
            std::lock_guard lock(mutex);
            o.progress(e);
        };
    }
    auto work = [&] {
        try {
            auto session = ep.session();
            for (std::size_t i = next++; i < blobs.size() && !failed; i = next++) {
                out[i] = transfer_blob(ep, *session, source, {blobs[i], repo, mount_from}, progress);
            }
        } catch (...) {
            std::lock_guard lock(mutex);
            if (!first) {
                first = std::current_exception();
            }
            failed = true;
        }
    };
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(o.parallel, 1)), blobs.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < n; ++i) {
        threads.emplace_back(work);
    }
    work();
    for (auto& t : threads) {
        t.join();
    }
    if (first) {
        std::rethrow_exception(first);
    }
    return out;
}

std::string ref_name(const Reference& dest, const std::string& ref) {
    return fmt::format("{}/{}{}{}", dest.registry, dest.repository, ref.starts_with("sha256:") ? "@" : ":", ref);
}

Report run(Source& source, const Reference& dest, std::vector<std::string> refs, const Options& o) {
    auto began = Clock::now();
    Report r;
    std::string mount = source.mount_from(dest.registry);
    std::vector<std::string> scopes{fmt::format("repository:{}:pull,push", dest.repository)};
    if (!mount.empty() && mount != dest.repository) {
        scopes.push_back(fmt::format("repository:{}:pull", mount));
    }
    Endpoint ep(dest.registry, o, scopes);
    auto s = ep.session();
    Plan p = plan(source);
    if (!dest.digest.empty() && dest.digest != p.root.digest) {
        throw Error(fmt::format("{} is {}, not {}", dest.str(), p.root.digest, dest.digest));
    }
    bool unchanged = true;
    for (const auto& ref : refs) {
        unchanged = unchanged && manifest_digest(ep, *s, dest.repository, ref) == p.root.digest;
    }
    auto done = [&] {
        r.seconds = std::chrono::duration<double>(Clock::now() - began).count();
        return r;
    };
    if (unchanged) {
        for (const auto& ref : refs) {
            r.manifests.push_back({ref_name(dest, ref), p.root.digest, p.root.media_type, "unchanged"});
        }
        return done();
    }
    r.blobs = transfer_all(ep, source, p.blobs, dest.repository, mount);
    auto put = [&](const std::string& ref, const std::string& bytes, const std::string& type) {
        std::string digest = o.dry_run ? digest_of(bytes) : put_manifest(ep, *s, dest.repository, ref, bytes, type);
        r.manifests.push_back({ref_name(dest, ref), digest, type, o.dry_run ? "would-push" : "pushed"});
    };
    for (const auto& [d, bytes] : p.children) {
        put(d.digest, bytes, parse_manifest(bytes, d.media_type).media_type);
    }
    for (const auto& ref : refs) {
        put(ref, p.root.bytes, p.root.media_type);
    }
    return done();
}

std::vector<std::string> target_refs(const Reference& dest, const std::vector<std::string>& extra) {
    std::vector<std::string> refs{dest.reference()};
    for (const auto& t : extra) {
        if (!valid_tag(t)) {
            throw UsageError(fmt::format("not a valid tag: {}", t));
        }
        if (std::find(refs.begin(), refs.end(), t) == refs.end()) {
            refs.push_back(t);
        }
    }
    return refs;
}

std::string oci_arch(const std::string& arch) {
    if (arch == "x86_64") {
        return "amd64";
    }
    if (arch == "aarch64") {
        return "arm64";
    }
    return arch;
}

}  // namespace

Reference Reference::parse(std::string_view text) {
    std::string_view s = text;
    if (s.starts_with("docker://")) {
        s.remove_prefix(9);
    }
    auto bad = [&](std::string_view why) {
        return UsageError(fmt::format("not an image reference ({}): {}", why, text));
    };
    auto slash = s.find('/');
    if (slash == std::string_view::npos) {
        throw bad("expected HOST/REPOSITORY[:TAG|@DIGEST]");
    }
    Reference r;
    r.registry = std::string(s.substr(0, slash));
    if (r.registry.empty() ||
        !(r.registry.find('.') != std::string::npos || r.registry.find(':') != std::string::npos ||
          r.registry == "localhost") ||
        !std::all_of(r.registry.begin(), r.registry.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
                   c == ']';
        })) {
        throw bad("the registry host comes first");
    }
    std::string_view rest = s.substr(slash + 1);
    if (auto at = rest.find('@'); at != std::string_view::npos) {
        r.digest = std::string(rest.substr(at + 1));
        if (!valid_digest(r.digest)) {
            throw bad("bad digest");
        }
        rest = rest.substr(0, at);
    }
    auto last_slash = rest.rfind('/');
    auto colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
    if (colon != std::string_view::npos) {
        r.tag = std::string(rest.substr(colon + 1));
        if (!valid_tag(r.tag)) {
            throw bad("bad tag");
        }
        rest = rest.substr(0, colon);
    }
    r.repository = std::string(rest);
    if (r.repository.empty() || r.repository.size() > 255 || r.repository.front() == '/' ||
        r.repository.back() == '/' || r.repository.find("//") != std::string::npos ||
        !std::all_of(r.repository.begin(), r.repository.end(), name_char)) {
        throw bad("bad repository name");
    }
    if (r.tag.empty() && r.digest.empty()) {
        throw bad("no tag or digest");
    }
    return r;
}

std::string Reference::str() const {
    std::string out = registry + "/" + repository;
    if (!tag.empty()) {
        out += ":" + tag;
    }
    if (!digest.empty()) {
        out += "@" + digest;
    }
    return out;
}

Report push(const std::string& source, const Reference& dest, const std::vector<std::string>& extra_tags,
            const Options& options) {
    auto src = open_source(source, options);
    return run(*src, dest, target_refs(dest, extra_tags), options);
}

Report promote(const Reference& source, const Reference& dest, const Options& options) {
    return push("docker://" + source.str(), dest, {}, options);
}

Report push_index(const Reference& dest, const std::vector<std::pair<std::string, Reference>>& arch_images,
                  const Options& options) {
    auto began = Clock::now();
    if (arch_images.empty()) {
        throw UsageError("an index needs at least one --arch-image");
    }
    Report r;
    nlohmann::json index{{"schemaVersion", 2}, {"mediaType", oci_index}, {"manifests", nlohmann::json::array()}};
    for (const auto& [arch, ref] : arch_images) {
        if (ref.registry != dest.registry) {
            throw UsageError(fmt::format("{} is not on {}", ref.str(), dest.registry));
        }
        Endpoint ep(dest.registry, options, {fmt::format("repository:{}:pull", ref.repository)});
        auto s = ep.session();
        Fetched f = get_manifest(ep, *s, ref.repository, ref.reference());
        if (parse_manifest(f.bytes, f.media_type).index) {
            throw UsageError(fmt::format("{} is an index, not a single-arch image", ref.str()));
        }
        if (ref.repository != dest.repository) {
            // An image from another repository comes over first, mounted blob by blob.
            Reference source{ref.registry, ref.repository, "", f.digest};
            auto part = promote(source, Reference{dest.registry, dest.repository, "", f.digest}, options);
            r.blobs.insert(r.blobs.end(), part.blobs.begin(), part.blobs.end());
            r.manifests.insert(r.manifests.end(), part.manifests.begin(), part.manifests.end());
        }
        index["manifests"].push_back({{"mediaType", f.media_type},
                                      {"digest", f.digest},
                                      {"size", f.bytes.size()},
                                      {"platform", {{"architecture", oci_arch(arch)}, {"os", "linux"}}}});
    }
    std::string bytes = index.dump();
    std::string digest = digest_of(bytes);
    Endpoint ep(dest.registry, options, {fmt::format("repository:{}:pull,push", dest.repository)});
    auto s = ep.session();
    std::string action = manifest_digest(ep, *s, dest.repository, dest.reference()) == digest ? "unchanged"
                         : options.dry_run                                                    ? "would-push"
                                                                                              : "pushed";
    if (action == "pushed") {
        put_manifest(ep, *s, dest.repository, dest.reference(), bytes, std::string(oci_index));
    }
    r.manifests.push_back({dest.str(), digest, std::string(oci_index), action});
    r.seconds = std::chrono::duration<double>(Clock::now() - began).count();
    return r;
}

}  // namespace flr::registry
