#include "stage0/store/layout.hpp"

#include "common/error.hpp"

namespace pod::store {

namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool has_hash(std::string_view id, std::string_view prefix) {
  return id.size() == prefix.size() + kHexLen && id.substr(0, prefix.size()) == prefix &&
         is_lower_hex(id.substr(prefix.size()));
}

}  // namespace

bool is_full_image_id(std::string_view id) { return has_hash(id, kIdPrefix); }

bool is_tree_id(std::string_view id) { return has_hash(id, kTreePrefix); }

void require_full_image_id(std::string_view id) {
  if (!is_full_image_id(id))
    throw Error("\"" + std::string(id) + "\" is not a full image ID (sha512- and 128 hex digits)");
}

std::string Layout::blob(std::string_view full_id) const {
  require_full_image_id(full_id);
  std::string_view hex = full_id.substr(kIdPrefix.size());
  return blobs() + "/" + std::string(hex.substr(0, 2)) + "/" + std::string(hex);
}

std::string Layout::tree(std::string_view tree_id) const {
  if (!is_tree_id(tree_id)) throw Error("\"" + std::string(tree_id) + "\" is not a tree ID");
  return trees() + "/" + std::string(tree_id);
}

std::string Layout::tree_lock(std::string_view tree_id) const {
  if (!is_tree_id(tree_id)) throw Error("\"" + std::string(tree_id) + "\" is not a tree ID");
  return locks() + "/" + std::string(tree_id);
}

std::string Layout::layer(std::string_view diff_id) const {
  if (diff_id.size() != 7 + 64 || diff_id.substr(0, 7) != "sha256:" ||
      !is_lower_hex(diff_id.substr(7)))
    throw Error("\"" + std::string(diff_id) + "\" is not a layer digest (sha256: and 64 hex digits)");
  return layers() + "/" + std::string(diff_id.substr(7));
}

}  // namespace pod::store
