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
      "garbage collected. Exits 1 when any argument could not be removed, naming it.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("images", "images to remove", cxxopts::value<std::vector<std::string>>());
    p.positional({"images"}, "ID|NAME...");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("images"))
      throw UsageError("pod image rm needs at least one image ID or name", 0,
                       "'pod image list' shows them");
    store::Store st = open_image_store(inv.global);
    int removed = 0;
    int failed = 0;
    std::set<std::string> done;
    for (const auto& arg : res["images"].as<std::vector<std::string>>()) {
      try {
        for (const auto& img : images_for_argument(st, arg)) {
          if (!done.insert(img.id).second) continue;  // named twice
          st.remove(img.id);
          std::printf("successfully removed aci for image: \"%s\" (\"%s\")\n", img.id.c_str(),
                      display_name(img).c_str());
          ++removed;
        }
      } catch (const Error& e) {
        ++failed;
        std::fprintf(stderr, "pod: error: removing \"%s\": %s\n", arg.c_str(), e.what());
        if (!e.hint().empty()) std::fprintf(stderr, "pod: %s\n", e.hint().c_str());
      }
    }
    std::printf("%d image(s) successfully removed\n", removed);
    if (failed) std::fprintf(stderr, "pod: %d argument(s) could not be removed\n", failed);
    return failed ? 1 : 0;
  };
  return c;
}

}  // namespace pod::cli
