// The name and labels of an ACI read from its manifest without importing it: the
// manifest is the first entry of a well-formed ACI, so only its first blocks are read.
// Used to pick the trust prefix of a file or URL before its signature is checked.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pod::fetch {

struct ManifestSummary {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
};

// Reads from offset 0 of fd (any compression libarchive knows); `source` names it in
// errors. Throws Error when there is no manifest or it has no name.
[[nodiscard]] ManifestSummary peek_manifest(int fd, const std::string& source);

}  // namespace pod::fetch
