#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/fetch_settings.hpp"
#include "stage0/fetch/image_fetcher.hpp"
#include "stage0/store/store.hpp"

namespace pod::cli {

namespace {

// rkt's --signature FILE applies to the image before it on the command line, which an
// option parser cannot express: the flags are taken out here, each paired with the
// number of images seen before it. Returns the remaining arguments.
std::vector<std::string> take_signatures(const std::vector<std::string>& args,
                                         std::map<size_t, std::string>& by_image) {
  static const std::set<std::string> takes_value = {
      "--pull-policy", "--dir", "--local-config", "--system-config", "--user-config",
      "--insecure-options"};
  std::vector<std::string> rest;
  size_t images = 0;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::optional<std::string> sig;
    if (!options_done && a == "--signature") {
      if (i + 1 >= args.size()) throw UsageError("--signature needs a FILE");
      sig = args[++i];
    } else if (!options_done && starts_with(a, "--signature=")) {
      sig = a.substr(std::string("--signature=").size());
    }
    if (sig) {
      if (images == 0)
        throw UsageError("--signature " + *sig + " comes before any IMAGE", 0,
                         "write it after the image it signs: pod fetch IMAGE --signature FILE");
      if (!by_image.emplace(images - 1, *sig).second)
        throw UsageError("two --signature flags for the same IMAGE");
      continue;
    }
    rest.push_back(a);
    if (options_done || !starts_with(a, "-") || a == "-") {
      ++images;
    } else if (a == "--") {
      options_done = true;
    } else if (takes_value.count(a) && i + 1 < args.size()) {
      rest.push_back(args[++i]);
    }
  }
  return rest;
}

}  // namespace

Command fetch_command() {
  Command c;
  c.name = "fetch";
  c.summary = "Fetch image(s) and store them in the local store";
  c.usage = "pod fetch [--pull-policy=never|new|update] [--full] IMAGE [--signature=FILE]...";
  c.description =
      "IMAGE is a file path or file:// URL, an https:// URL, an image name with labels "
      "(example.com/app:1.0 or example.com/app,version=1.0) found by meta discovery, or a "
      "stored image ID. Signatures (IMAGE.asc) are verified against 'pod trust' keys before "
      "anything is stored. Prints one image ID per line on stdout, nothing else.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("pull-policy",
            "when to fetch: never (store only), new (fetch when not stored), update (always "
            "check the remote; unchanged images are not downloaded again)",
            cxxopts::value<std::string>()->default_value("new"))
        ("no-store", "same as --pull-policy=update (rkt compatibility)",
         cxxopts::value<bool>()->default_value("false"))
        ("full", "print full image IDs instead of shortened ones",
         cxxopts::value<bool>()->default_value("false"))
        ("signature", "local signature file to use in validating the preceding image",
         cxxopts::value<std::string>());
    // The first image is a positional string, the others arrive unmatched: a cxxopts
    // vector would split "example.com/app,version=1.0" at its commas.
    p.add()("image", "", cxxopts::value<std::string>());
    p.positional({"image"}, "IMAGE...");
    std::map<size_t, std::string> signatures;
    auto res = p.parse(take_signatures(inv.args, signatures), inv.global);
    std::vector<std::string> images;
    if (res.count("image")) images.push_back(res["image"].as<std::string>());
    images.insert(images.end(), res.unmatched().begin(), res.unmatched().end());
    if (images.empty())
      throw UsageError("pod fetch needs at least one IMAGE", 0,
                       "give a file, an https:// URL or an image name");
    auto settings = fetch_settings_from(inv.global);
    settings.pull_policy = fetch::parse_pull_policy(res["pull-policy"].as<std::string>());
    if (res["no-store"].as<bool>()) {
      if (res.count("pull-policy") && settings.pull_policy != fetch::PullPolicy::update)
        throw UsageError("--no-store contradicts --pull-policy=" +
                         res["pull-policy"].as<std::string>());
      settings.pull_policy = fetch::PullPolicy::update;
    }
    bool full = res["full"].as<bool>();
    Logger log = inv.global.logger();
    store::Store st = store::Store::open(inv.global.dir, log);
    fetch::ImageFetcher fetcher(st, settings, log);
    for (size_t i = 0; i < images.size(); ++i) {
      auto sig = signatures.find(i);
      std::string id = fetcher.fetch(
          images[i], sig == signatures.end() ? std::nullopt : std::optional(sig->second));
      std::printf("%s\n", (full ? id : store::short_id(id)).c_str());
      std::fflush(stdout);  // a caller reading IDs line by line gets each as soon as it is known
    }
    return 0;
  };
  return c;
}

}  // namespace pod::cli
