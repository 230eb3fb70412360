#include "stage0/pods/resolve.hpp"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "common/uuid.hpp"

namespace pod::pods {

std::vector<PodLocation> list_pods(const std::string& data_dir) {
  std::vector<PodLocation> out;
  for (DirState s : kAllDirStates) {
    std::string dir = state_dir(data_dir, s);
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      if (errno == ENOENT) continue;
      throw_errno("listing pods in " + dir);
    }
    while (struct dirent* e = ::readdir(d)) {
      if (is_uuid(e->d_name)) out.push_back({e->d_name, s});
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end(),
            [](const PodLocation& a, const PodLocation& b) { return a.uuid < b.uuid; });
  return out;
}

std::string resolve_uuid_in(const std::vector<PodLocation>& pods, const std::string& prefix) {
  std::string want;
  for (char c : prefix) want += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool plausible = !want.empty() && want.size() <= 36 &&
                   std::all_of(want.begin(), want.end(), [](char c) {
                     return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
                   });
  if (!plausible) {
    throw UsageError("\"" + prefix + "\" is not a pod UUID or UUID prefix", 0,
                     "'pod list' shows the pods' UUIDs");
  }
  std::vector<std::string> matches;
  for (const auto& p : pods) {
    if (!starts_with(p.uuid, want)) continue;
    if (matches.empty() || matches.back() != p.uuid) matches.push_back(p.uuid);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    Error e("no matches found for \"" + prefix + "\"");  // rkt's words
    e.set_hint("'pod list' shows the pods there are");
    throw e;
  }
  std::string shown;
  for (size_t i = 0; i < matches.size() && i < 5; ++i) shown += (i ? ", " : "") + matches[i];
  if (matches.size() > 5) shown += ", ...";
  Error e("UUID prefix \"" + prefix + "\" is ambiguous: it matches " +
          std::to_string(matches.size()) + " pods (" + shown + ")");
  e.set_hint("give more characters of the UUID");
  throw e;
}

std::string resolve_uuid(const std::string& data_dir, const std::string& prefix) {
  return resolve_uuid_in(list_pods(data_dir), prefix);
}

std::string read_uuid_file(const std::string& file) {
  return with_context("reading UUID file " + file, [&] {
    std::string text(trim(read_file(file)));
    auto uuid = normalize_uuid(text);
    if (!uuid) throw Error("\"" + text + "\" is not a UUID");
    return *uuid;
  });
}

void write_uuid_file(const std::string& file, const std::string& uuid) {
  with_context("writing UUID file " + file, [&] {
    std::string dir = parent_dir(file);
    if (!is_directory(dir)) {
      // Say so up front: the atomic write would otherwise name its temp file, not the directory.
      Error e("directory " + dir + " does not exist");
      e.set_hint("create it, or save the UUID elsewhere");
      throw e;
    }
    write_file_atomic(file, uuid);
  });
}

}  // namespace pod::pods
