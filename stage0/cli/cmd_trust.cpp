#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/fetch_settings.hpp"
#include "stage0/fetch/discoverer.hpp"
#include "stage0/fetch/http_client.hpp"
#include "stage0/fetch/trust_store.hpp"
#include "stage0/fetch/url.hpp"

namespace pod::cli {

namespace {

struct KeySource {
  std::string location;  // file path or URL
  std::string data;
};

std::string describe_key(const aci::PublicKeyInfo& k, const std::string& prefix,
                         const std::string& location) {
  std::string out = prefix.empty() ? "Root key (trusted for every image)\n"
                                   : "Prefix: \"" + prefix + "\"\n";
  out += "Key: \"" + location + "\"\n";
  out += "GPG key fingerprint is: " + aci::format_fingerprint(k.fingerprint) + "\n";
  for (const auto& sub : k.subkey_fingerprints)
    out += "\tSubkey fingerprint: " + aci::format_fingerprint(sub) + "\n";
  for (const auto& uid : k.uids) out += "\t" + uid + "\n";
  return out;
}

// Asks on the terminal; true for "yes" or "y".
bool confirm() {
  std::fputs("Are you sure you want to trust this key (yes/no)?\n", stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes" || answer == "y" || answer == "Yes" || answer == "YES";
}

}  // namespace

Command trust_command() {
  Command c;
  c.name = "trust";
  c.summary = "Trust a key for image verification";
  c.usage =
      "pod trust [--prefix=PREFIX | --root] [--skip-fingerprint-review] [--insecure-allow-http] "
      "[KEYFILE|URL...]";
  c.description =
      "Stores public keys that may sign images whose names start with PREFIX (or, with "
      "--root, any image) in the local configuration's trustedkeys/. Without KEYFILE or URL, "
      "the prefix's keys are found by meta discovery (ac-discovery-pubkeys). Each key's "
      "fingerprint is shown for review first; see also 'pod trust list' and 'pod trust rm'.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("prefix", "the image name prefix the key may sign for (e.g. example.com/app)",
            cxxopts::value<std::string>())
        ("root", "trust the key for every image (root key)",
         cxxopts::value<bool>()->default_value("false"))
        ("skip-fingerprint-review", "trust without showing the fingerprint and asking",
         cxxopts::value<bool>()->default_value("false"))
        ("insecure-allow-http", "allow discovery and key downloads over plain http",
         cxxopts::value<bool>()->default_value("false"))
        ("keys", "key files or URLs", cxxopts::value<std::vector<std::string>>());
    p.positional({"keys"}, "[KEYFILE|URL...]");
    auto res = p.parse(inv.args, inv.global);
    bool root = res["root"].as<bool>();
    std::string prefix;
    if (res.count("prefix")) prefix = fetch::TrustStore::check_prefix(res["prefix"].as<std::string>());
    if (root == !prefix.empty())
      throw UsageError(root ? "--root and --prefix exclude each other"
                            : "say which images the key may sign: --prefix=PREFIX or --root");
    std::vector<std::string> keys;
    if (res.count("keys")) keys = res["keys"].as<std::vector<std::string>>();
    if (keys.empty() && root)
      throw UsageError("--root needs a KEYFILE or URL", 0,
                       "root keys cannot be discovered: give the key file");
    bool skip_review = res["skip-fingerprint-review"].as<bool>();

    Logger log = inv.global.logger();
    auto settings = fetch_settings_from(inv.global);
    settings.insecure_http = settings.insecure_http || res["insecure-allow-http"].as<bool>();
    std::optional<fetch::HttpClient> http;
    auto client = [&]() -> fetch::HttpClient& {
      if (!http) http.emplace(fetch::make_http_settings(settings), log);
      return *http;
    };
    if (keys.empty()) {
      auto found = with_context("discovering the keys of " + prefix, [&] {
        return fetch::discover(client(), log, prefix, {}, fetch::DiscoveryGoal::pubkeys,
                               settings.insecure_http);
      });
      keys = found.pubkeys;
    }

    std::vector<KeySource> sources;
    for (const auto& k : keys) {
      if (fetch::looks_like_url(k) && !starts_with(k, "file://")) {
        std::string data = client().get_text(k, "public key", 1 << 20);
        sources.push_back({k, std::move(data)});
      } else {
        std::string path = starts_with(k, "file://") ? fetch::parse_url(k).path : k;
        sources.push_back({path, with_context("reading key file", [&] { return read_file(path); })});
      }
    }

    fetch::TrustStore store(inv.global.local_config, inv.global.system_config);
    for (const auto& src : sources) {
      for (const auto& key : aci::read_public_keys(src.data, src.location)) {
        if (key.revoked)
          log.warn("key " + key.fingerprint + " is revoked: images signed by it will be refused");
        else if (key.expired)
          log.warn("key " + key.fingerprint + " has expired: images signed by it will be refused");
        if (!skip_review) {
          // Checked here, after the key files were read and parsed, so that a missing or
          // malformed key file is reported as such rather than as a review problem.
          if (::isatty(STDIN_FILENO) != 1)
            throw Error("cannot review the fingerprint of key " + key.fingerprint + " from " +
                            src.location + ": standard input is not a terminal",
                        0, "check the fingerprint out of band, then pass --skip-fingerprint-review");
          std::fputs(describe_key(key, prefix, src.location).c_str(), stderr);
          if (!confirm()) {
            // As rkt: declining a key is the user's decision, not a failure (exit 0).
            std::fprintf(stderr, "Not trusting key %s\n", key.fingerprint.c_str());
            continue;
          }
          std::fprintf(stderr, "Trusting \"%s\" for %s after fingerprint review.\n",
                       src.location.c_str(),
                       prefix.empty() ? "every image" : ("prefix \"" + prefix + "\"").c_str());
        }
        std::string path = store.add(prefix, key.fingerprint, key.armored);
        if (prefix.empty())
          std::printf("Added root key at \"%s\"\n", path.c_str());
        else
          std::printf("Added key for prefix \"%s\" at \"%s\"\n", prefix.c_str(),
                       path.c_str());
      }
    }
    return 0;
  };
  return c;
}

}  // namespace pod::cli
