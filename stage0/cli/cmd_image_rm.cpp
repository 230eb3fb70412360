#include <cstdio>
#include <set>

#include "common/error.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

Command image_rm_command() {
  Command c;
  c.name = "image rm";
  c.summary = "Remove images from the local store";
  c.usage = "pod image rm ID|NAME...";
  c.description =
      "An ID (or a unique prefix of one) removes that image; a name (with optional :version or "
      ",label=value) removes every image of that name. As with rkt, an image is removed even "
      "when pods were created from it: a pod keeps the rendered tree it uses until it is "
      "garbage collected. As with rkt, an argument that matches no image is reported (\"no "
      "image IDs found\") without failing the command; it exits 254 only when a matching image "
      "could not be removed.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("images", "images to remove", cxxopts::value<std::vector<std::string>>());
    p.positional({"images"}, "ID|NAME...");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("images"))
      throw UsageError("pod image rm needs at least one image ID or name", 0,
                       "'pod image list' shows them");
    store::Store st = open_image_store(inv.global);
    // rkt's streams: each removed ID on stdout, the counts on stderr.
    int removed = 0;
    int failed = 0;
    std::set<std::string> done;
    for (const auto& arg : res["images"].as<std::vector<std::string>>()) {
      std::vector<store::ImageRecord> images;
      try {
        images = images_for_argument(st, arg);
      } catch (const Error& e) {
        print_error(e);
        continue;
      }
      for (const auto& img : images) {
        if (!done.insert(img.id).second) continue;  // named twice
        try {
          st.remove(img.id);
        } catch (const Error& e) {
          ++failed;
          std::fprintf(stderr, "pod: error: removing image %s (%s): %s\n", img.id.c_str(),
                       display_name(img).c_str(), e.what());
          continue;
        }
        std::printf("successfully removed aci for image: \"%s\"\n", img.id.c_str());
        std::fflush(stdout);
        ++removed;
      }
    }
    if (removed) std::fprintf(stderr, "pod: %d image(s) successfully removed\n", removed);
    if (failed) std::fprintf(stderr, "pod: %d image(s) cannot be removed\n", failed);
    return failed ? kExitFailure : 0;
  };
  return c;
}

}  // namespace pod::cli
