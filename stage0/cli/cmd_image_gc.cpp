#include <chrono>
#include <cstdio>

#include "common/duration.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

Command image_gc_command() {
  Command c;
  c.name = "image gc";
  c.summary = "Garbage collect the local image store";
  c.usage = "pod image gc [--grace-period=24h]";
  c.description =
      "Removes rendered trees that no pod uses (a pod uses the trees its appsinfo/*/treeStoreID "
      "and stage1TreeStoreID files name), then images not used for the grace period, then "
      "what interrupted commands left behind. Run 'pod gc' first so that exited pods let go "
      "of their trees.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("grace-period", "how long since an image was last used before it is removed",
            cxxopts::value<std::string>()->default_value("24h"));
    auto res = p.parse(inv.args, inv.global);
    if (!res.unmatched().empty())
      throw UsageError("pod image gc takes no arguments (got \"" + res.unmatched().front() +
                       "\")", 0, "to remove one image, use 'pod image rm IMAGE'");
    auto grace = parse_duration(res["grace-period"].as<std::string>());
    store::Store st = open_image_store(inv.global);
    store::GcOptions opts;
    opts.grace_period_seconds = std::chrono::duration_cast<std::chrono::seconds>(grace).count();
    store::GcResult r = st.gc(opts);
    for (const auto& t : r.removed_trees) std::printf("removed treestore \"%s\"\n", t.c_str());
    for (const auto& l : r.removed_layers) std::printf("removed layer \"%s\"\n", l.c_str());
    for (const auto& id : r.removed_images)
      std::printf("successfully removed aci for image: \"%s\"\n", id.c_str());
    std::printf("%zu image(s) successfully removed\n", r.removed_images.size());
    inv.global.logger().debug("kept " + std::to_string(r.kept_trees.size()) +
                              " tree(s) in use; freed " + human_size(r.bytes_freed));
    return 0;
  };
  return c;
}

}  // namespace pod::cli
