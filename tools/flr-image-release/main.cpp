// flr-image-release: push the newest container base image build to every registry,
// unless nothing was built since the last release.
#include "image_cli.hpp"

int main(int argc, char** argv) {
    return flr::cli::image_main(
        argc, argv,
        {"flr-image-release", "Release the newest container base image build to the registries.", true, true,
         flr::image::release});
}
