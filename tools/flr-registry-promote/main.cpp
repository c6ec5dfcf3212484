// flr-registry-promote: copy an image or index, and everything under it, from one
// repository or registry to another, mounting blobs wherever the registry allows.
#include "registry_cli.hpp"

int main(int argc, char** argv) {
    flr::cli::Tool tool("flr-registry-promote", "Copy an image or index between OCI repositories and registries.");
    tool.add_dry_run();
    flr::cli::RegistryCli registry(tool);
    std::string source;
    std::string dest;
    auto& app = tool.app();
    app.add_option("SRC-REF", source, "The image to copy: HOST/REPO:TAG or HOST/REPO@DIGEST")->required();
    app.add_option("DEST-REF", dest, "Where to: HOST/REPO:TAG")->required();

    return tool.run(argc, argv, [&] {
        auto report = flr::registry::promote(flr::registry::Reference::parse(source),
                                             flr::registry::Reference::parse(dest), registry.options());
        registry.print(report);
        return 0;
    });
}
