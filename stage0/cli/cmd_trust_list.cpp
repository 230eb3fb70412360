#include <cstdio>
#include <nlohmann/json.hpp>

#include "aci/openpgp_keys.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/table.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/fetch/trust_store.hpp"

namespace pod::cli {

namespace {

// The user IDs of the key a trusted key file holds, read from its OpenPGP packets: no gpg
// run (gpg checks every self-signature, 3.7 s for 1,000 keys). A file holding another key
// than its name says shows that key's user IDs, as gpg's listing did.
std::vector<std::string> uids_of(const fetch::TrustedKeyFile& k) {
  try {
    const auto keys = aci::summarize_public_keys(read_file(k.path), k.path);
    for (const auto& key : keys)
      if (key.fingerprint == k.fingerprint) return key.uids;
    return keys.front().uids;
  } catch (const Error& e) {
    // Listed with its reason, not hidden: the listing is how a user finds a broken file.
    return {std::string("(unreadable: ") + e.what() + ")"};
  }
}

}  // namespace

Command trust_list_command() {
  Command c;
  c.name = "trust list";
  c.summary = "List the trusted keys (a pod addition to rkt's trust)";
  c.usage = "pod trust list [--format=json] [--no-legend]";
  c.description =
      "Shows every key of the system and local trustedkeys/ directories: the prefix it "
      "signs for (\"*\" for root keys), its fingerprint, its first user ID and where it is. "
      "A local empty file masking a system key is shown as masked.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("format", "output format: text or json",
            cxxopts::value<std::string>()->default_value("text"))
        ("no-legend", "do not print the header line",
         cxxopts::value<bool>()->default_value("false"));
    auto res = p.parse(inv.args, inv.global);
    if (!res.unmatched().empty())
      throw UsageError("pod trust list takes no arguments (got \"" + res.unmatched().front() +
                       "\")");
    std::string fmt = res["format"].as<std::string>();
    if (fmt != "text" && fmt != "json")
      throw UsageError("unknown --format \"" + fmt + "\"", 0, "use text or json");
    fetch::TrustStore store(inv.global.local_config, inv.global.system_config);
    nlohmann::json out = nlohmann::json::array();
    Table table({"PREFIX", "FINGERPRINT", "UID", "SOURCE", "PATH"});
    for (const auto& k : store.list()) {
      std::vector<std::string> uids;
      if (!k.mask) uids = uids_of(k);
      std::string source = k.mask ? "masked" : (k.system ? "system" : "local");
      out.push_back({{"prefix", k.prefix.empty() ? "*" : k.prefix},
                     {"root", k.prefix.empty()},
                     {"fingerprint", k.fingerprint},
                     {"uids", uids},
                     {"source", source},
                     {"path", k.path}});
      table.add_row({k.prefix.empty() ? "*" : k.prefix, k.fingerprint,
                     uids.empty() ? "-" : uids.front(), source, k.path});
    }
    if (fmt == "json")
      std::printf("%s\n", out.dump(2).c_str());
    else
      table.print(!res["no-legend"].as<bool>());
    return 0;
  };
  return c;
}

Command trust_rm_command() {
  Command c;
  c.name = "trust rm";
  c.summary = "Stop trusting keys (a pod addition to rkt's trust)";
  c.usage = "pod trust rm FINGERPRINT...";
  c.description =
      "Removes the keys with these fingerprints from the local configuration, for every "
      "prefix and as root keys. A key of the system configuration is masked by an empty "
      "file of the same name in the local one, as rkt does.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("fingerprints", "key fingerprints", cxxopts::value<std::vector<std::string>>());
    p.positional({"fingerprints"}, "FINGERPRINT...");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("fingerprints"))
      throw UsageError("pod trust rm needs a FINGERPRINT", 0, "'pod trust list' shows them");
    fetch::TrustStore store(inv.global.local_config, inv.global.system_config);
    for (const auto& f : res["fingerprints"].as<std::vector<std::string>>()) {
      std::string fpr = fetch::TrustStore::normalize_fingerprint(f);
      for (const auto& path : store.remove(fpr)) {
        // A removed key's file is gone; a masked system key's mask is the file left behind.
        if (path_exists(path))
          std::fprintf(stderr, "Masked system key %s with the empty file %s\n", fpr.c_str(),
                       path.c_str());
        else
          std::fprintf(stderr, "Removed key %s (%s)\n", fpr.c_str(), path.c_str());
      }
    }
    return 0;
  };
  return c;
}

}  // namespace pod::cli
