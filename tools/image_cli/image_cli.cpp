#include "image_cli.hpp"

#include "cli.hpp"

namespace flr::cli {

int image_main(int argc, char** argv, const ImageTool& spec) {
    Tool tool(spec.name, spec.description);
    tool.add_config();
    if (spec.changes) {
        tool.add_dry_run();
    }
    image::Options o;
    tool.app().add_option("--release", o.release, "The Fedora release, a number")->required();
    auto* image = tool.app().add_option(
        "--image", o.image,
        spec.image_required ? "The image, as named in flr.yaml" : "The image, as named in flr.yaml (default: fedora)");
    if (spec.image_required) {
        image->required();
    }
    return tool.run(argc, argv, [&] {
        o.dry_run = tool.options().dry_run;
        auto out = spec.operation(tool.config(), o);
        return tool.report(out.json, out.text, out.exit_code, out.failure);
    });
}

}  // namespace flr::cli
