// Where images come from: an OCI layout directory, an OCI archive (plain, gzip or xz,
// read with libarchive), a docker-archive, or another registry. Blobs are always
// streamed: from a file, from the archive entry, or from a verified download.
#include "services/registry_impl.hpp"

#include "core/fs.hpp"

#include <flr/error.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

namespace flr::registry {
namespace {

constexpr std::size_t small_limit = 4U << 20U;  // manifests, indexes, configs

std::string blob_path(const std::string& digest) {
    if (!valid_digest(digest)) {
        throw Error(fmt::format("not a sha256 digest: {}", digest));
    }
    return "blobs/sha256/" + digest.substr(7);
}

class FileStream : public BlobStream {
public:
    FileStream(fs::Fd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}
    std::size_t read(char* out, std::size_t size) override {
        for (;;) {
            ssize_t n = ::read(fd_.get(), out, size);
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                throw SystemError("cannot read " + name_, errno);
            }
        }
    }

private:
    fs::Fd fd_;
    std::string name_;
};

std::unique_ptr<BlobStream> open_file(const std::string& path, std::uint64_t offset) {
    fs::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw SystemError("cannot open " + path, errno);
    }
    if (offset > 0 && ::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
        throw SystemError("cannot seek in " + path, errno);
    }
    return std::make_unique<FileStream>(std::move(fd), path);
}

std::string normal(std::string name) {
    while (name.starts_with("./")) {
        name.erase(0, 2);
    }
    return name;
}

// One pass over an archive, entry by entry.
class ArchiveReader : public BlobStream {
public:
    explicit ArchiveReader(const std::string& path) : path_(path), a_(archive_read_new()) {
        if (!a_) {
            throw Error("cannot create an archive reader");
        }
        archive_read_support_filter_all(a_);
        archive_read_support_format_tar(a_);
        archive_read_support_format_gnutar(a_);
        if (archive_read_open_filename(a_, path.c_str(), 1U << 16U) != ARCHIVE_OK) {
            const char* why = archive_error_string(a_);
            std::string message = fmt::format("{}: {}", path_, why ? why : "unreadable archive");
            archive_read_free(a_);  // the destructor does not run for a throwing constructor
            throw Error(message);
        }
    }
    ~ArchiveReader() override { archive_read_free(a_); }
    ArchiveReader(const ArchiveReader&) = delete;
    ArchiveReader& operator=(const ArchiveReader&) = delete;

    // The next regular file's name (without "./"), or nothing at the end.
    std::optional<std::string> next() {
        for (;;) {
            archive_entry* e = nullptr;
            int rc = archive_read_next_header(a_, &e);
            if (rc == ARCHIVE_EOF) {
                return std::nullopt;
            }
            if (rc < ARCHIVE_WARN) {
                fail();
            }
            if (archive_entry_filetype(e) == AE_IFREG) {
                size_ = archive_entry_size_is_set(e) ? static_cast<std::uint64_t>(archive_entry_size(e)) : 0;
                const char* name = archive_entry_pathname(e);
                return normal(name ? name : "");
            }
        }
    }
    std::uint64_t size() const noexcept { return size_; }

    // Position on `name`; throws when the archive has no such file.
    void seek(const std::string& name) {
        while (auto n = next()) {
            if (*n == name) {
                return;
            }
        }
        throw Error(fmt::format("{}: no {} in the archive", path_, name));
    }

    std::size_t read(char* out, std::size_t size) override {
        la_ssize_t n = archive_read_data(a_, out, size);
        if (n < 0) {
            fail();
        }
        return static_cast<std::size_t>(n);
    }

    void skip(std::uint64_t bytes) {
        char buffer[1U << 16U];
        while (bytes > 0) {
            std::size_t n = read(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(bytes, sizeof buffer)));
            if (n == 0) {
                throw Error(fmt::format("{}: an entry ends early", path_));
            }
            bytes -= n;
        }
    }

    std::string read_small() {
        if (size_ > small_limit) {
            throw Error(fmt::format("{}: an entry is larger than {} bytes", path_, small_limit));
        }
        std::string out(static_cast<std::size_t>(size_), '\0');
        std::size_t got = 0;
        while (got < out.size()) {
            std::size_t n = read(out.data() + got, out.size() - got);
            if (n == 0) {
                break;
            }
            got += n;
        }
        out.resize(got);
        return out;
    }

private:
    [[noreturn]] void fail() {
        const char* why = archive_error_string(a_);
        throw Error(fmt::format("{}: {}", path_, why ? why : "unreadable archive"));
    }
    std::string path_;
    archive* a_;
    std::uint64_t size_ = 0;
};

// The OCI image layout, wherever its files live.
class LayoutSource : public Source {
public:
    explicit LayoutSource(std::string ref) : ref_(std::move(ref)) {}

    Fetched root() override {
        std::string text = read_small("index.json");
        auto index = nlohmann::json::parse(text, nullptr, false);
        if (index.is_discarded() || !index.is_object() || !index.contains("manifests") ||
            !index["manifests"].is_array()) {
            throw Error(where() + ": index.json is not an OCI index");
        }
        const nlohmann::json* pick = nullptr;
        for (const auto& entry : index["manifests"]) {
            std::string name;
            if (entry.is_object() && entry.contains("annotations") && entry["annotations"].is_object()) {
                auto a = entry["annotations"].find("org.opencontainers.image.ref.name");
                name = a != entry["annotations"].end() && a->is_string() ? a->get<std::string>() : "";
            }
            if (ref_.empty() ? index["manifests"].size() == 1 : name == ref_) {
                pick = &entry;
            }
        }
        if (!pick) {
            throw Error(ref_.empty() ? fmt::format("{}: the layout holds {} manifests; name one as oci:DIR:REF",
                                                   where(), index["manifests"].size())
                                     : fmt::format("{}: no manifest named {}", where(), ref_));
        }
        Descriptor d = parse_manifest(nlohmann::json{{"schemaVersion", 2}, {"manifests", {*pick}}}.dump(), oci_index)
                           .children.front();
        Fetched f{manifest(d), d.media_type, d.digest};
        f.media_type = parse_manifest(f.bytes, d.media_type).media_type;
        return f;
    }

    std::string manifest(const Descriptor& d) override {
        std::string bytes = read_small(blob_path(d.digest));
        if (digest_of(bytes) != d.digest) {
            throw Error(fmt::format("{}: manifest {} does not match its digest", where(), d.digest));
        }
        return bytes;
    }

    std::string mount_from(const std::string&) const override { return {}; }

protected:
    virtual std::string read_small(const std::string& name) = 0;
    virtual std::string where() const = 0;

private:
    std::string ref_;
};

class DirSource : public LayoutSource {
public:
    DirSource(std::string dir, std::string ref) : LayoutSource(std::move(ref)), dir_(std::move(dir)) {
        struct stat st {};
        if (::stat((dir_ + "/oci-layout").c_str(), &st) != 0) {
            throw Error(fmt::format("{}: not an OCI layout (no oci-layout file)", dir_));
        }
    }
    std::unique_ptr<BlobStream> open(const Descriptor& d, std::uint64_t offset) override {
        return open_file(dir_ + "/" + blob_path(d.digest), offset);
    }

protected:
    std::string read_small(const std::string& name) override {
        std::string path = dir_ + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) > small_limit) {
            throw Error(fmt::format("{}: larger than {} bytes", path, small_limit));
        }
        return fs::read_file(path);
    }
    std::string where() const override { return dir_; }

private:
    std::string dir_;
};

class ArchiveStream : public BlobStream {
public:
    ArchiveStream(const std::string& path, const std::string& name, std::uint64_t offset)
        : reader_(std::make_unique<ArchiveReader>(path)) {
        reader_->seek(name);
        reader_->skip(offset);
    }
    std::size_t read(char* out, std::size_t size) override { return reader_->read(out, size); }

private:
    std::unique_ptr<ArchiveReader> reader_;
};

std::string read_entry(const std::string& path, const std::string& name) {
    ArchiveReader r(path);
    r.seek(name);
    return r.read_small();
}

class OciArchiveSource : public LayoutSource {
public:
    OciArchiveSource(std::string path, std::string ref) : LayoutSource(std::move(ref)), path_(std::move(path)) {}
    std::unique_ptr<BlobStream> open(const Descriptor& d, std::uint64_t offset) override {
        return std::make_unique<ArchiveStream>(path_, blob_path(d.digest), offset);
    }

protected:
    std::string read_small(const std::string& name) override { return read_entry(path_, name); }
    std::string where() const override { return path_; }

private:
    std::string path_;
};

// `docker save` output: manifest.json names a config and uncompressed layer tars. The
// Docker v2 schema 2 manifest is built here, hashing each layer in one pass.
class DockerArchiveSource : public Source {
public:
    explicit DockerArchiveSource(std::string path) : path_(std::move(path)) {
        auto list = nlohmann::json::parse(read_entry(path_, "manifest.json"), nullptr, false);
        if (list.is_discarded() || !list.is_array() || list.size() != 1 || !list[0].is_object() ||
            !list[0].contains("Config") || !list[0]["Config"].is_string() || !list[0].contains("Layers") ||
            !list[0]["Layers"].is_array()) {
            throw Error(path_ + ": manifest.json does not describe exactly one image");
        }
        std::string config_name = normal(list[0]["Config"].get<std::string>());
        std::map<std::string, std::pair<std::string, std::uint64_t>> layers;  // name -> digest, size
        std::vector<std::string> order;
        for (const auto& l : list[0]["Layers"]) {
            if (!l.is_string()) {
                throw Error(path_ + ": a layer name is not a string");
            }
            order.push_back(normal(l.get<std::string>()));
            layers[order.back()] = {};
        }
        std::string config;
        ArchiveReader r(path_);
        char buffer[1U << 16U];
        while (auto name = r.next()) {
            if (*name == config_name) {
                config = r.read_small();
            } else if (auto it = layers.find(*name); it != layers.end()) {
                http::Sha256 h;
                std::uint64_t size = 0;
                for (std::size_t n = r.read(buffer, sizeof buffer); n > 0; n = r.read(buffer, sizeof buffer)) {
                    h.update(buffer, n);
                    size += n;
                }
                it->second = {"sha256:" + h.hex(), size};
            }
        }
        if (config.empty()) {
            throw Error(fmt::format("{}: no {} in the archive", path_, config_name));
        }
        config_digest_ = digest_of(config);
        names_[config_digest_] = config_name;
        nlohmann::json m{
            {"schemaVersion", 2},
            {"mediaType", docker_manifest},
            {"config", {{"mediaType", docker_config}, {"size", config.size()}, {"digest", config_digest_}}},
            {"layers", nlohmann::json::array()}};
        for (const auto& name : order) {
            const auto& [digest, size] = layers[name];
            if (digest.empty()) {
                throw Error(fmt::format("{}: no {} in the archive", path_, name));
            }
            names_[digest] = name;
            m["layers"].push_back({{"mediaType", docker_layer}, {"size", size}, {"digest", digest}});
        }
        manifest_ = m.dump();
    }

    Fetched root() override { return {manifest_, std::string(docker_manifest), digest_of(manifest_)}; }
    std::string manifest(const Descriptor& d) override {
        throw Error(fmt::format("{}: no manifest {}", path_, d.digest));
    }
    std::unique_ptr<BlobStream> open(const Descriptor& d, std::uint64_t offset) override {
        auto it = names_.find(d.digest);
        if (it == names_.end()) {
            throw Error(fmt::format("{}: no blob {}", path_, d.digest));
        }
        return std::make_unique<ArchiveStream>(path_, it->second, offset);
    }
    std::string mount_from(const std::string&) const override { return {}; }

private:
    std::string path_;
    std::string manifest_;
    std::string config_digest_;
    std::map<std::string, std::string> names_;  // digest -> entry name
};

// Another registry: manifests by GET, blobs downloaded (redirects followed, digest
// verified) into an unnamed temporary file and uploaded from there.
class RegistrySource : public Source {
public:
    RegistrySource(const Reference& ref, const Options& options)
        : ref_(ref), endpoint_(ref.registry, options, {fmt::format("repository:{}:pull", ref.repository)}) {}

    Fetched root() override {
        auto s = endpoint_.session();
        return get_manifest(endpoint_, *s, ref_.repository, ref_.reference());
    }
    std::string manifest(const Descriptor& d) override {
        auto s = endpoint_.session();
        return get_manifest(endpoint_, *s, ref_.repository, d.digest).bytes;
    }
    std::unique_ptr<BlobStream> open(const Descriptor& d, std::uint64_t offset) override {
        const char* tmp = std::getenv("TMPDIR");
        std::string dir = tmp && *tmp ? tmp : "/var/tmp";
        fs::Fd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
        if (!fd) {
            throw SystemError("cannot create a temporary file in " + dir, errno);
        }
        auto s = endpoint_.session();
        http::Transfer t;
        std::shared_ptr<http::Sha256> hash;
        auto make = [&] {
            if (::ftruncate(fd.get(), 0) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0) {
                throw SystemError("cannot reset a temporary file", errno);
            }
            hash = std::make_shared<http::Sha256>();
            t = {};
            t.url = endpoint_.url(fmt::format("/v2/{}/blobs/{}", ref_.repository, d.digest));
            t.limit = d.size;
            t.writer = [&fd, h = hash](const char* data, std::size_t n) {
                h->update(data, n);
                while (n > 0) {
                    ssize_t w = ::write(fd.get(), data, n);
                    if (w < 0 && errno != EINTR) {
                        throw SystemError("cannot write a temporary file", errno);
                    }
                    if (w > 0) {
                        data += w;
                        n -= static_cast<std::size_t>(w);
                    }
                }
            };
            return t;
        };
        auto out = endpoint_.send(*s, make);
        if (!out.transport_ok() || out.response.status != 200) {
            endpoint_.fail(*s, t, out);
        }
        if ("sha256:" + hash->hex() != d.digest) {
            throw RemoteError("registry", fmt::format("{}: the blob does not match its digest", s->describe(t)));
        }
        if (::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
            throw SystemError("cannot seek in a temporary file", errno);
        }
        return std::make_unique<FileStream>(std::move(fd), d.digest);
    }
    std::string mount_from(const std::string& registry) const override {
        return registry == ref_.registry ? ref_.repository : std::string();
    }

private:
    Reference ref_;
    Endpoint endpoint_;
};

// "oci-layout" or "manifest.json", whichever the archive holds.
std::string archive_kind(const std::string& path) {
    ArchiveReader r(path);
    while (auto name = r.next()) {
        if (*name == "oci-layout") {
            return "oci-archive";
        }
        if (*name == "manifest.json") {
            return "docker-archive";
        }
    }
    throw Error(path + ": neither an OCI archive nor a docker-archive");
}

}  // namespace

std::unique_ptr<Source> open_source(const std::string& spec, const Options& options) {
    auto colon = spec.find(':');
    std::string kind = colon == std::string::npos ? "" : spec.substr(0, colon);
    std::string rest = colon == std::string::npos ? spec : spec.substr(colon + 1);
    if (kind == "docker") {
        if (!rest.starts_with("//")) {
            throw UsageError("a registry source is docker://HOST/REPO:TAG");
        }
        return std::make_unique<RegistrySource>(Reference::parse(rest.substr(2)), options);
    }
    if (kind == "oci" || kind == "oci-archive") {
        auto second = rest.find(':');
        std::string path = rest.substr(0, second);
        std::string ref = second == std::string::npos ? "" : rest.substr(second + 1);
        if (kind == "oci") {
            return std::make_unique<DirSource>(path, ref);
        }
        return std::make_unique<OciArchiveSource>(path, ref);
    }
    if (kind == "docker-archive") {
        return std::make_unique<DockerArchiveSource>(rest);
    }
    struct stat st {};
    if (::stat(spec.c_str(), &st) != 0) {
        throw Error(fmt::format("{}: no such file or directory", spec));
    }
    if (S_ISDIR(st.st_mode)) {
        return std::make_unique<DirSource>(spec, "");
    }
    if (archive_kind(spec) == "oci-archive") {
        return std::make_unique<OciArchiveSource>(spec, "");
    }
    return std::make_unique<DockerArchiveSource>(spec);
}

}  // namespace flr::registry
