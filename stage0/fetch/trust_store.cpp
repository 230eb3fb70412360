#include "stage0/fetch/trust_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "aci/discovery.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::fetch {

namespace {

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bool is_fingerprint(std::string_view s) { return (s.size() == 40 || s.size() == 64) && is_hex(s); }

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '/';
}

off_t file_size(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_size;
}

// The key files of one directory (not recursing), by fingerprint.
std::vector<std::string> key_names(const std::string& dir) {
  std::vector<std::string> out;
  if (!is_directory(dir)) return out;
  for (const auto& name : list_dir(dir))
    if (is_fingerprint(name) && !is_directory(path_join(dir, name))) out.push_back(name);
  return out;
}

// Walks prefix.d collecting every directory holding keys, with the prefix it stands for.
void walk_prefixes(const std::string& dir, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  if (!is_directory(dir)) return;
  if (!prefix.empty()) out.emplace_back(prefix, dir);
  for (const auto& name : list_dir(dir)) {
    std::string sub = path_join(dir, name);
    if (is_directory(sub)) walk_prefixes(sub, prefix.empty() ? name : prefix + "/" + name, out);
  }
}

}  // namespace

std::string TrustStore::check_prefix(std::string_view prefix) {
  std::string p(prefix);
  while (!p.empty() && p.back() == '/') p.pop_back();
  auto bad = [&](const std::string& why) {
    return UsageError("invalid prefix \"" + std::string(prefix) + "\": " + why, 0,
                      "a prefix is an image name or a leading part of one, such as "
                      "example.com/app or example.com");
  };
  if (p.empty()) throw bad("it is empty");
  for (char c : p)
    if (!is_identifier_char(c))
      throw bad(std::string("'") + c + "' is not allowed (lower-case letters, digits and -._~/)");
  for (const auto& part : split(p, '/'))
    if (part.empty() || part == "." || part == "..")
      throw bad("empty, \".\" and \"..\" path components are not allowed");
  if (!std::isalnum(static_cast<unsigned char>(p.front())))
    throw bad("it must start with a letter or digit");
  return p;
}

std::string TrustStore::normalize_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!is_fingerprint(out))
    throw UsageError("\"" + std::string(text) + "\" is not a key fingerprint", 0,
                     "give the 40 hex digits 'pod trust list' shows");
  return out;
}

std::string TrustStore::root_dir(bool system) const {
  return path_join(system ? system_ : local_, "trustedkeys/root.d");
}

std::string TrustStore::prefix_dir(std::string_view prefix, bool system) const {
  return path_join(path_join(system ? system_ : local_, "trustedkeys/prefix.d"),
                   check_prefix(prefix));
}

std::vector<aci::TrustedKey> TrustStore::keys_for(std::string_view name) const {
  // Applied in rkt's order so a local empty file masks a system key: system root,
  // local root, then for each prefix covering the name, shortest first, system then local.
  std::vector<std::string> dirs = {root_dir(true), root_dir(false)};
  auto candidates = aci::discovery_candidates(name);
  std::reverse(candidates.begin(), candidates.end());
  for (const auto& prefix : candidates) {
    bool valid = true;
    try {
      (void)check_prefix(prefix);
    } catch (const UsageError&) {
      valid = false;  // a name that cannot be a prefix directory has no keys of its own
    }
    if (!valid) continue;
    dirs.push_back(prefix_dir(prefix, true));
    dirs.push_back(prefix_dir(prefix, false));
  }
  std::map<std::string, std::string> chosen;  // fingerprint -> path (ordered: stable output)
  for (const auto& dir : dirs) {
    for (const auto& fpr : key_names(dir)) {
      std::string path = path_join(dir, fpr);
      if (file_size(path) == 0)
        chosen.erase(fpr);
      else
        chosen[fpr] = path;
    }
  }
  std::vector<aci::TrustedKey> out;
  for (const auto& entry : chosen) {
    const std::string& path = entry.second;
    out.push_back(aci::TrustedKey{
        entry.first, with_context("reading trusted key", [&] { return read_file(path); }), path});
  }
  return out;
}

std::string TrustStore::add(std::string_view prefix, std::string_view fingerprint,
                            std::string_view armored) {
  std::string fpr = normalize_fingerprint(fingerprint);
  std::string dir = prefix.empty() ? root_dir(false) : prefix_dir(prefix, false);
  std::string path = path_join(dir, fpr);
  with_context("storing trusted key " + path, [&] {
    make_dirs(dir);
    write_file_atomic(path, armored, 0644);
  });
  return path;
}

std::vector<TrustedKeyFile> TrustStore::list() const {
  std::vector<TrustedKeyFile> out;
  for (bool system : {true, false}) {
    for (const auto& fpr : key_names(root_dir(system))) {
      std::string path = path_join(root_dir(system), fpr);
      out.push_back({fpr, "", path, system, file_size(path) == 0});
    }
    std::vector<std::pair<std::string, std::string>> prefixes;
    walk_prefixes(path_join(system ? system_ : local_, "trustedkeys/prefix.d"), "", prefixes);
    for (const auto& [prefix, dir] : prefixes) {
      for (const auto& fpr : key_names(dir)) {
        std::string path = path_join(dir, fpr);
        out.push_back({fpr, prefix, path, system, file_size(path) == 0});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const TrustedKeyFile& a, const TrustedKeyFile& b) {
    return std::tie(a.prefix, a.fingerprint, a.system) < std::tie(b.prefix, b.fingerprint, b.system);
  });
  return out;
}

std::vector<std::string> TrustStore::remove(std::string_view fingerprint) {
  std::string fpr = normalize_fingerprint(fingerprint);
  std::vector<std::string> done;
  auto all = list();
  for (const auto& k : all) {
    if (k.fingerprint != fpr || k.system || k.mask) continue;
    if (::unlink(k.path.c_str()) != 0) throw_errno("removing trusted key " + k.path);
    done.push_back(k.path);
  }
  // A system key cannot be deleted by pod: an empty local file of the same name hides it.
  for (const auto& k : all) {
    if (k.fingerprint != fpr || !k.system || k.mask) continue;
    std::string dir = k.prefix.empty() ? root_dir(false) : prefix_dir(k.prefix, false);
    std::string mask = path_join(dir, fpr);
    with_context("masking system key " + k.path, [&] {
      make_dirs(dir);
      write_file_atomic(mask, "", 0644);
    });
    done.push_back(mask);
  }
  if (done.empty())
    throw Error("no trusted key has fingerprint " + fpr, 0, "see the keys with 'pod trust list'");
  return done;
}

}  // namespace pod::fetch
