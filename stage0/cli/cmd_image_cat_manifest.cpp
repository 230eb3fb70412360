#include <cstdio>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"
#include "stage0/cli/manifest_output.hpp"

namespace pod::cli {

Command image_cat_manifest_command() {
  Command c;
  c.name = "image cat-manifest";
  c.summary = "Inspect and print the image manifest";
  c.usage = "pod image cat-manifest [--pretty-print=false] FILE.aci|ID|NAME";
  c.description =
      "Prints the manifest of an ACI file as JSON on stdout, indented unless "
      "--pretty-print=false. The manifest is validated; the rest of the image is not read. "
      "An argument that is not an existing file names a stored image: an ID (prefix) or "
      "name[:version][,label=value...].";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("pretty-print", "indent the JSON (--pretty-print=false for one line)",
            cxxopts::value<bool>()->default_value("true"))
        ("image", "the ACI file", cxxopts::value<std::vector<std::string>>());
    p.positional({"image"}, "FILE.aci");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("image") || res["image"].as<std::vector<std::string>>().size() != 1)
      throw UsageError("pod image cat-manifest needs exactly one image", 0,
                       "give the path of an ACI file");
    const std::string image = res["image"].as<std::vector<std::string>>().front();
    // Image names never start with '/' or '.', nor end in ".aci": such arguments are files.
    bool is_file = path_exists(image) || image.front() == '/' || image.front() == '.' ||
                   (image.size() > 4 && image.compare(image.size() - 4, 4, ".aci") == 0);
    std::string text = is_file
                           ? manifest_of_aci_file(image)
                           : image_for_argument(open_image_store(inv.global), image).manifest_text;
    std::string out = format_manifest(text, res["pretty-print"].as<bool>());
    std::printf("%s\n", out.c_str());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
