#include <cerrno>
#include <cstdio>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"

namespace pod::cli {

Command image_build_command() {
  Command c;
  c.name = "image build";
  c.summary = "Build an ACI from a directory holding manifest and rootfs/";
  c.usage = "pod image build [--compression=gzip|bzip2|xz|zstd|none] [--overwrite] DIR OUT.aci";
  c.description =
      "DIR must hold an image manifest (validated first) and a rootfs/ directory. The ACI is "
      "written deterministically (same tree, same bytes) to a temporary file beside OUT.aci "
      "and renamed into place when complete. Prints the image ID on stdout.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("compression", "gzip, bzip2, xz, zstd or none",
            cxxopts::value<std::string>()->default_value("gzip"))
        ("overwrite", "replace OUT.aci if it exists", cxxopts::value<bool>()->default_value("false"))
        ("args", "DIR OUT.aci", cxxopts::value<std::vector<std::string>>());
    p.positional({"args"}, "DIR OUT.aci");
    auto res = p.parse(inv.args, inv.global);
    std::vector<std::string> args;
    if (res.count("args")) args = res["args"].as<std::vector<std::string>>();
    if (args.size() != 2)
      throw UsageError("pod image build needs DIR and OUT.aci, got " + std::to_string(args.size()) +
                           " argument(s)",
                       0, "usage: " + c.usage);
    aci::WriteOptions opts;
    opts.compression = aci::parse_compression(res["compression"].as<std::string>());
    opts.overwrite = res["overwrite"].as<bool>();
    aci::AciInfo info = [&] {
      try {
        return aci::write_aci(args[0], args[1], opts);
      } catch (Error& e) {
        // A missing manifest or rootfs/: say what DIR has to hold.
        if (e.errnum() == ENOENT && e.hint().empty() &&
            e.message().find(args[0]) != std::string::npos)
          e.set_hint("DIR must be a directory holding a \"manifest\" file and a \"rootfs/\" "
                     "directory");
        throw;
      }
    }();
    inv.global.logger().debug("wrote " + args[1] + ": " + human_size(info.uncompressed_size) +
                              " of tar, " + human_size(info.compressed_size) + " " +
                              aci::compression_name(info.compression));
    std::printf("%s\n", info.image_id.c_str());
    return 0;
  };
  return c;
}

}  // namespace pod::cli
