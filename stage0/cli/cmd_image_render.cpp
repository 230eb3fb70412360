#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

Command image_render_command() {
  Command c;
  c.name = "image render";
  c.summary = "Render a stored image with its dependencies to a directory";
  c.usage = "pod image render [--overwrite] [--rootfs-only] ID|NAME DIR";
  c.description =
      "Writes the image as a pod would see it: its dependencies applied in order, the image "
      "on top, its pathWhitelist honoured. DIR is a plain copy (no overlay, no store "
      "reference), so 'rm -rf DIR' removes it. Dependencies must be in the store.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("overwrite", "replace DIR when it exists",
            cxxopts::value<bool>()->default_value("false"))(
        "rootfs-only", "write only the rootfs", cxxopts::value<bool>()->default_value("false"))(
        "args", "", cxxopts::value<std::vector<std::string>>());
    p.positional({"args"}, "ID|NAME DIR");
    auto res = p.parse(inv.args, inv.global);
    auto args =
        res.count("args") ? res["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (args.size() != 2) throw UsageError("pod image render needs an image and a directory");
    store::Store st = open_image_store(inv.global);
    // "rendering image X:" like every other layer's context (extract, export, fetch).
    with_context("rendering image " + args[0], [&] {
      store::ImageRecord img = image_for_argument(st, args[0]);
      place_tree(args[1], res["overwrite"].as<bool>(), res["rootfs-only"].as<bool>(),
                 [&](const std::string& tree) { (void)st.render_to(img.id, tree); });
    });
    return 0;
  };
  return c;
}

}  // namespace pod::cli
