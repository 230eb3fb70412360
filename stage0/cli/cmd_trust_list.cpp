#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/table.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/fetch/trust_store.hpp"

namespace pod::cli {

namespace {

// Every key file read into one keyring at once: one gpg import for the whole list instead
// of one per key (1,000 keys: one import, not 1,000 gpg runs). Fingerprint -> user IDs.
std::map<std::string, std::vector<std::string>> read_all_uids(
    const std::vector<fetch::TrustedKeyFile>& keys) {
  std::string all;
  for (const auto& k : keys) {
    if (k.mask) continue;
    try {
      all += read_file(k.path);
      all += "\n";
    } catch (const Error&) {
      // Reported with the key's own line.
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  if (all.empty()) return out;
  try {
    for (auto& info : aci::list_public_keys(all, "the trusted keys"))
      out[info.fingerprint] = std::move(info.uids);
  } catch (const Error&) {
    // The batch failed as a whole: each key is read alone and reports its own reason.
  }
  return out;
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
    const auto keys = store.list();
    const auto uids_by_fingerprint = read_all_uids(keys);
    for (const auto& k : keys) {
      std::vector<std::string> uids;
      if (!k.mask) {
        if (auto it = uids_by_fingerprint.find(k.fingerprint); it != uids_by_fingerprint.end()) {
          uids = it->second;
        } else {
          // Not in the batch (unreadable, or not the key its name says): read it alone,
          // so it is listed with its own reason, not hidden.
          try {
            auto infos = aci::read_public_keys(read_file(k.path), k.path);
            if (!infos.empty()) uids = infos.front().uids;
          } catch (const Error& e) {
            uids.push_back(std::string("(unreadable: ") + e.what() + ")");
          }
        }
      }
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
