// A temporary file or directory removed (recursively) when its owner goes away,
// unless release() handed it on, e.g. after it was renamed into place.
#pragma once

#include <string>
#include <utility>

namespace pod {

class TempPath {
 public:
  TempPath() = default;
  explicit TempPath(std::string path) : path_(std::move(path)) {}
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  TempPath(TempPath&& o) noexcept : path_(o.release()) {}
  TempPath& operator=(TempPath&& o) noexcept;
  ~TempPath();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string release() noexcept { return std::exchange(path_, {}); }

 private:
  std::string path_;
};

// mkdtemp in `parent` with a name starting with `prefix`.
[[nodiscard]] TempPath make_temp_dir(const std::string& parent, const std::string& prefix);

}  // namespace pod
