#include <fcntl.h>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

Command image_extract_command() {
  Command c;
  c.name = "image extract";
  c.summary = "Extract a stored image (alone, without its dependencies) to a directory";
  c.usage = "pod image extract [--overwrite] [--rootfs-only] ID|NAME DIR";
  c.description =
      "Writes DIR/manifest and DIR/rootfs as the ACI holds them, or with --rootfs-only the "
      "rootfs contents directly in DIR. Dependencies and pathWhitelist are not applied: see "
      "'pod image render' for the image as a pod sees it. Nothing is fetched.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("overwrite", "replace DIR when it exists",
            cxxopts::value<bool>()->default_value("false"))(
        "rootfs-only", "extract only the rootfs", cxxopts::value<bool>()->default_value("false"))(
        "args", "", cxxopts::value<std::vector<std::string>>());
    p.positional({"args"}, "ID|NAME DIR");
    auto res = p.parse(inv.args, inv.global);
    auto args =
        res.count("args") ? res["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (args.size() != 2) throw UsageError("pod image extract needs an image and a directory");
    store::Store st = open_image_store(inv.global);
    store::ImageRecord img = image_for_argument(st, args[0]);
    with_context("extracting image " + img.id, [&] {
      place_tree(args[1], res["overwrite"].as<bool>(), res["rootfs-only"].as<bool>(),
                 [&](const std::string& tree) {
                   make_dirs(tree, 0755);
                   UniqueFd dir = open_fd(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                   aci::AciReadOptions ro;
                   ro.extract_dirfd = dir.get();
                   aci::AciInfo info = aci::read_aci_file(st.blob_path(img.id), ro);
                   if (info.image_id != img.id)
                     throw Error("the stored file of image " + img.id + " is damaged", 0,
                                 "remove it ('pod image rm') and fetch it again");
                   make_dirs(tree + "/rootfs", 0755);
                 });
    });
    return 0;
  };
  return c;
}

}  // namespace pod::cli
