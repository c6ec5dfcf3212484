// What the flr-image-* tools share: --release, --image, the run and its output.
#pragma once

#include <flr/image.hpp>

namespace flr::cli {

struct ImageTool {
    const char* name;
    const char* description;
    bool changes = false;         // takes --dry-run and reports a failed step's record
    bool image_required = false;  // else --image defaults to fedora
    image::Output (*operation)(const Config&, const image::Options&);
};

int image_main(int argc, char** argv, const ImageTool& spec);

}  // namespace flr::cli
