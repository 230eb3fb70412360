// The signatures images were verified with at fetch time, kept beside the store as
// <cas>/signatures/<image-id>.asc so `pod image verify` can check them again later.
// (The store itself knows nothing of signatures; a signature left behind by a removed
// image is harmless: it is only ever read for an image ID that is stored.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pod::fetch {

class SignatureStore {
 public:
  explicit SignatureStore(std::string cas_dir);
  [[nodiscard]] std::string path_of(const std::string& image_id) const;
  void save(const std::string& image_id, std::string_view signature);
  [[nodiscard]] std::optional<std::string> load(const std::string& image_id) const;

 private:
  std::string dir_;
};

}  // namespace pod::fetch
