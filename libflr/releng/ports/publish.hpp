// Private port: fetching a build output and publishing images to OCI registries.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace flr::releng {

class PublishPort {
public:
    virtual ~PublishPort() = default;
    // Stream `url` into the file `path`.
    virtual void download(const std::string& url, const std::string& path) = 0;
    // Push an archive ("oci-archive:FILE" or "docker-archive:FILE") to `reference`
    // ("host/repo:tag"); blobs already present are skipped.
    virtual void push_archive(const std::string& source, const std::string& reference) = 0;
    // Push an OCI index of (arch, "host/repo:tag") images, already in the registry, to `reference`.
    virtual void push_index(const std::string& reference,
                            const std::vector<std::pair<std::string, std::string>>& arch_images) = 0;
};

}  // namespace flr::releng
