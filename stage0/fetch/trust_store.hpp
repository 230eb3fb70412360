// The keys trusted to sign images, laid out as rkt lays them out so existing trust
// directories keep working:
//   <config>/trustedkeys/root.d/<fingerprint>                  trusted for every image
//   <config>/trustedkeys/prefix.d/<prefix>/<fingerprint>       trusted for names under <prefix>
// where <prefix> is an AC identifier such as "example.com/app" kept as nested
// directories. Keys of both the system and the local configuration count; an empty
// file in the local configuration masks the system key of the same fingerprint.
// `pod trust` writes to the local configuration only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aci/signature.hpp"

namespace pod::fetch {

struct TrustedKeyFile {
  std::string fingerprint;  // lower-case hex, the file name
  std::string prefix;       // empty for a root key
  std::string path;
  bool system = false;  // in the system configuration (read-only for pod)
  bool mask = false;    // an empty file hiding a system key
};

class TrustStore {
 public:
  TrustStore(std::string local_config, std::string system_config)
      : local_(std::move(local_config)), system_(std::move(system_config)) {}

  // A prefix must be an AC identifier without "." or ".." components (it becomes a
  // path); throws UsageError naming it otherwise. Returns it without a trailing '/'.
  [[nodiscard]] static std::string check_prefix(std::string_view prefix);
  // Lower-cases and checks a fingerprint (40 or 64 hex digits, spaces allowed).
  [[nodiscard]] static std::string normalize_fingerprint(std::string_view text);

  [[nodiscard]] std::string root_dir(bool system) const;
  [[nodiscard]] std::string prefix_dir(std::string_view prefix, bool system) const;

  // Keys that may sign an image called `name`: root keys and the keys of every prefix
  // covering the name, system first, local masks applied.
  [[nodiscard]] std::vector<aci::TrustedKey> keys_for(std::string_view name) const;

  // Stores an armoured public key for `prefix` (empty: root) under its fingerprint in
  // the local configuration; returns the path written. Rewriting the same key is fine.
  std::string add(std::string_view prefix, std::string_view fingerprint, std::string_view armored);

  // Every key file, system and local, sorted by prefix then fingerprint.
  [[nodiscard]] std::vector<TrustedKeyFile> list() const;

  // Removes the key from the local configuration wherever it is, and masks it where
  // it is a system key. Returns the paths removed or masked; throws naming the
  // fingerprint when no key has it.
  std::vector<std::string> remove(std::string_view fingerprint);

 private:
  std::string local_;
  std::string system_;
};

}  // namespace pod::fetch
