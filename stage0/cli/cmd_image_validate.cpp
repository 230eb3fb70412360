#include <cstdio>
#include <nlohmann/json.hpp>

#include "aci/archive.hpp"
#include "aci/validation_error.hpp"
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
  c.usage = "pod image validate [--format=json] FILE...";
  c.description =
      "Reads each FILE completely: compression, tar structure, entry names and links (what "
      "extraction would refuse), and the manifest against the appc spec. Prints "
      "\"FILE: ok (IMAGE-ID)\" on stdout for a valid image and \"FILE: REASON\" on stderr "
      "otherwise. --format=json prints one array on stdout instead: per FILE its \"file\", "
      "\"ok\", and the image's \"id\" and \"name\" or the \"error\" (with \"field\", the "
      "path of the offending member in the manifest, e.g. app.exec[0], when the manifest is "
      "at fault). Exits 0 only when every FILE is valid.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("files", "ACI files", cxxopts::value<std::vector<std::string>>())(
        "format", "output format: text or json", cxxopts::value<std::string>()->default_value("text"));
    p.positional({"files"}, "FILE...");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("files"))
      throw UsageError("pod image validate needs at least one FILE", 0, "usage: " + c.usage);
    const std::string fmt = res["format"].as<std::string>();
    if (fmt != "text" && fmt != "json")
      throw UsageError("unknown --format \"" + fmt + "\"", 0, "use text or json");
    const bool json = fmt == "json";
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    int status = 0;
    for (const auto& file : res["files"].as<std::vector<std::string>>()) {
      nlohmann::ordered_json entry = {{"file", file}};
      try {
        aci::AciInfo info = aci::read_aci_file(file);
        entry["ok"] = true;
        entry["id"] = info.image_id;
        entry["name"] = info.manifest.name;
        if (!json) {
          std::printf("%s: ok (%s)\n", file.c_str(), info.image_id.c_str());
          std::fflush(stdout);
        }
      } catch (const Error& e) {
        status = kExitFailure;
        entry["ok"] = false;
        entry["error"] = reason(e, file);
        if (const auto* v = dynamic_cast<const aci::ValidationError*>(&e); v && !v->field().empty())
          entry["field"] = v->field();
        if (!json) std::fprintf(stderr, "%s: %s\n", file.c_str(), reason(e, file).c_str());
      }
      out.push_back(std::move(entry));
    }
    if (json) std::printf("%s\n", out.dump(2).c_str());
    return status;
  };
  return c;
}

}  // namespace pod::cli
