#include "releng/publish.hpp"

#include "core/fs.hpp"
#include "core/http_stream.hpp"
#include "services/settings.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>

namespace flr::releng {

namespace {

class RegistryPublisher final : public PublishPort {
public:
    RegistryPublisher(http::Settings http, registry::Options options)
        : http_(std::move(http)), options_(std::move(options)) {}

    void download(const std::string& url, const std::string& path) override {
        fs::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) {
            throw SystemError(path, errno);
        }
        http::Session session(http_);
        http::Transfer t;
        t.url = url;
        t.writer = [&](const char* data, std::size_t size) {
            while (size > 0) {
                ssize_t n = ::write(fd.get(), data, size);
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw SystemError(path, errno);
                }
                data += n;
                size -= static_cast<std::size_t>(n);
            }
        };
        auto outcome = session.perform(t);
        if (!outcome.transport_ok()) {
            throw RemoteError("koji", fmt::format("GET {}: {}", url, outcome.error));
        }
        if (outcome.response.status != 200) {
            throw RemoteError("koji", fmt::format("GET {}: HTTP {}", url, outcome.response.status),
                              static_cast<int>(outcome.response.status));
        }
        if (::fsync(fd.get()) != 0) {
            throw SystemError(path, errno);
        }
        log::debug(fmt::format("downloaded {}", url));
    }

    void push_archive(const std::string& path, const std::string& reference) override {
        registry::push(path, registry::Reference::parse(reference), {}, options_);
    }

    void push_index(const std::string& reference,
                    const std::vector<std::pair<std::string, std::string>>& arch_images) override {
        std::vector<std::pair<std::string, registry::Reference>> images;
        for (const auto& [arch, ref] : arch_images) {
            images.emplace_back(arch, registry::Reference::parse(ref));
        }
        registry::push_index(registry::Reference::parse(reference), images, options_);
    }

private:
    http::Settings http_;
    registry::Options options_;
};

}  // namespace

std::unique_ptr<PublishPort> registry_publisher(const Config& config, registry::Options options) {
    auto endpoint = services::endpoint(config, "koji", {"url", "topurl", "cert", "ca"});
    if (auto ca = endpoint.section.string("ca")) {
        endpoint.http.ca_bundle = services::config_path(config, *ca);
    }
    endpoint.http.client_cert.clear();
    return std::make_unique<RegistryPublisher>(std::move(endpoint.http), std::move(options));
}

}  // namespace flr::releng
