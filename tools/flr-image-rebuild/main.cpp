// flr-image-rebuild: submit a container base image build through Koji's KIWI plugin,
// unless the last build or one still running already has the same input hash.
#include "image_cli.hpp"

int main(int argc, char** argv) {
    return flr::cli::image_main(argc, argv,
                                {"flr-image-rebuild", "Submit a container base image build when its packages changed.",
                                 true, true, flr::image::rebuild});
}
