#include <cstdio>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"

namespace pod::cli {

namespace {

// The error without the "reading ACI FILE: " every line already starts with.
std::string reason(const Error& e, const std::string& file) {
  std::string msg = e.what();
  std::string prefix = "reading ACI " + file + ": ";
  if (starts_with(msg, prefix)) msg.erase(0, prefix.size());
  if (!e.hint().empty()) msg += " (" + e.hint() + ")";
  return msg;
}

}  // namespace

Command image_validate_command() {
  Command c;
  c.name = "image validate";
  c.summary = "Check that files are valid ACIs";
  c.usage = "pod image validate FILE...";
  c.description =
      "Reads each FILE completely: compression, tar structure, entry names and links (what "
      "extraction would refuse), and the manifest against the appc spec. Prints "
      "\"FILE: ok (IMAGE-ID)\" on stdout for a valid image and \"FILE: REASON\" on stderr "
      "otherwise. Exits 0 only when every FILE is valid.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("files", "ACI files", cxxopts::value<std::vector<std::string>>());
    p.positional({"files"}, "FILE...");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("files"))
      throw UsageError("pod image validate needs at least one FILE", 0, "usage: " + c.usage);
    int status = 0;
    for (const auto& file : res["files"].as<std::vector<std::string>>()) {
      try {
        aci::AciInfo info = aci::read_aci_file(file);
        std::printf("%s: ok (%s)\n", file.c_str(), info.image_id.c_str());
        std::fflush(stdout);
      } catch (const Error& e) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(), reason(e, file).c_str());
        status = 1;
      }
    }
    return status;
  };
  return c;
}

}  // namespace pod::cli
