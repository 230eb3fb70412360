// Finding pods: every pod on disk, and a UUID or unique UUID prefix resolved to one.
#pragma once

#include <string>
#include <vector>

#include "stage0/pods/paths.hpp"

namespace pod::pods {

struct PodLocation {
  std::string uuid;
  DirState dir = DirState::embryo;
};

// Every pod under <data_dir>/pods, sorted by UUID (a pod caught mid-rename may be
// listed twice or not at all; callers re-find it under its lock).
[[nodiscard]] std::vector<PodLocation> list_pods(const std::string& data_dir);

// A full UUID, or a prefix of exactly one pod's UUID, to that pod's full UUID.
// Throws UsageError for text that cannot be a UUID prefix, Error naming the prefix
// (and the candidates, when ambiguous) otherwise.
[[nodiscard]] std::string resolve_uuid(const std::string& data_dir, const std::string& prefix);
// The same over a given list (unit-testable).
[[nodiscard]] std::string resolve_uuid_in(const std::vector<PodLocation>& pods,
                                          const std::string& prefix);

// Reads the UUID written by --uuid-file-save into FILE.
[[nodiscard]] std::string read_uuid_file(const std::string& file);
// Writes the UUID to FILE atomically (--uuid-file-save).
void write_uuid_file(const std::string& file, const std::string& uuid);

}  // namespace pod::pods
