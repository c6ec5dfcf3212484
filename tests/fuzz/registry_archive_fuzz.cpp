// libFuzzer target: OCI archives and docker-archives (any compression libarchive reads),
// opened as image sources and read blob by blob. Refusals are flr::Errors, never crashes.
#include "services/registry_impl.hpp"

#include <flr/error.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

void read_all(flr::registry::Source& source) {
    auto root = source.root();
    auto m = flr::registry::parse_manifest(root.bytes, root.media_type);
    std::vector<flr::registry::Descriptor> blobs{m.config};
    blobs.insert(blobs.end(), m.layers.begin(), m.layers.end());
    char buffer[4096];
    for (const auto& d : blobs) {
        auto stream = source.open(d, 0);
        while (stream->read(buffer, sizeof buffer) > 0) {
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int fd = memfd_create("archive", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size)) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    flr::registry::Options options;
    for (const char* kind : {"oci-archive:", "docker-archive:"}) {
        try {
            auto source = flr::registry::open_source(kind + path, options);
            read_all(*source);
        } catch (const flr::Error&) {
        }
    }
    close(fd);
    return 0;
}
