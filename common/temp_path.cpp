#include "common/temp_path.hpp"

#include <stdlib.h>

#include <cstdio>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod {

TempPath& TempPath::operator=(TempPath&& o) noexcept {
  if (this != &o) {
    TempPath old(std::move(*this));
    path_ = o.release();
  }
  return *this;
}

TempPath::~TempPath() {
  if (path_.empty()) return;
  try {
    remove_tree(path_);
  } catch (const std::exception& e) {
    // A destructor cannot fail; say what is left behind so it can be found.
    std::fprintf(stderr, "pod: warning: leaving temporary %s: %s\n", path_.c_str(), e.what());
  }
}

TempPath make_temp_dir(const std::string& parent, const std::string& prefix) {
  std::string tmpl = path_join(parent, prefix + "XXXXXX");
  if (!::mkdtemp(tmpl.data())) throw_errno("creating a temporary directory in " + parent);
  return TempPath(tmpl);
}

}  // namespace pod
