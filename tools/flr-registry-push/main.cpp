// flr-registry-push: push an image from a local source (or another registry) to a
// registry, or build a multi-arch index from per-arch images already there.
// GCC 12 reports a null dereference inside CLI11's detail::split as instantiated here
// (a false positive of -Wnull-dereference on std::string internals).
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "registry_cli.hpp"

#include <fmt/format.h>

namespace {

struct Args {
    std::string source;
    std::string dest;
    std::vector<std::string> tags;
    std::string index;
    std::vector<std::string> arch_images;
};

void add_options(CLI::App& app, Args& a) {
    app.add_option("SOURCE", a.source, "OCI layout, OCI archive, docker-archive or docker://REF");
    app.add_option("DEST", a.dest, "Where to: HOST/REPO:TAG");
    app.add_option("--tag", a.tags, "Also point this tag at the image (repeatable)");
    app.add_option("--index", a.index, "Push an OCI index to HOST/REPO:TAG from the --arch-image images");
    app.add_option("--arch-image", a.arch_images, "ARCH=HOST/REPO:TAG, an image the index names (repeatable)");
}

std::vector<std::pair<std::string, flr::registry::Reference>> arch_images(const Args& a) {
    if (!a.source.empty() || !a.dest.empty() || !a.tags.empty()) {
        flr::cli::usage_error("--index takes no SOURCE, DEST or --tag");
    }
    std::vector<std::pair<std::string, flr::registry::Reference>> images;
    for (const auto& image : a.arch_images) {
        auto eq = image.find('=');
        if (eq == std::string::npos || eq == 0) {
            flr::cli::usage_error(fmt::format("--arch-image wants ARCH=REFERENCE: {}", image));
        }
        images.emplace_back(image.substr(0, eq), flr::registry::Reference::parse(image.substr(eq + 1)));
    }
    return images;
}

}  // namespace

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-registry-push", "Push an image, or a multi-arch index, to an OCI registry.");
    tool.add_dry_run();
    flr::cli::RegistryCli registry(tool);
    Args a;
    add_options(tool.app(), a);

    return tool.run(argc, argv, [&] {
        if (a.index.empty() && (a.source.empty() || a.dest.empty() || !a.arch_images.empty())) {
            flr::cli::usage_error("expected SOURCE DEST:TAG, or --index with --arch-image");
        }
        auto report = a.index.empty() ? flr::registry::push(a.source, flr::registry::Reference::parse(a.dest), a.tags,
                                                            registry.options())
                                      : flr::registry::push_index(flr::registry::Reference::parse(a.index),
                                                                  arch_images(a), registry.options());
        registry.print(report);
        return 0;
    });
}
