// flr-image-changed: has any package in the container base image a newer build? The
// verdict, each changed package and the input hash; the verdict as exit code.
#include "image_cli.hpp"

int main(int argc, char** argv) {
    return flr::cli::image_main(argc, argv,
                                {"flr-image-changed", "Tell whether any package in a container base image was updated.",
                                 false, false, flr::image::changed});
}
