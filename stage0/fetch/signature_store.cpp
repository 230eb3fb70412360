#include "stage0/fetch/signature_store.hpp"

#include "common/error.hpp"
#include "common/fs.hpp"

namespace pod::fetch {

SignatureStore::SignatureStore(std::string cas_dir) : dir_(path_join(cas_dir, "signatures")) {}

std::string SignatureStore::path_of(const std::string& image_id) const {
  if (image_id.find('/') != std::string::npos || image_id.empty() || image_id[0] == '.')
    throw Error("\"" + image_id + "\" is not an image ID");
  return path_join(dir_, image_id + ".asc");
}

void SignatureStore::save(const std::string& image_id, std::string_view signature) {
  std::string path = path_of(image_id);
  with_context("keeping the signature of " + image_id + " in " + path, [&] {
    make_dirs(dir_);
    write_file_atomic(path, signature, 0644);
  });
}

std::optional<std::string> SignatureStore::load(const std::string& image_id) const {
  std::string path = path_of(image_id);
  if (!path_exists(path)) return std::nullopt;
  return with_context("reading the signature of " + image_id, [&] { return read_file(path); });
}

}  // namespace pod::fetch
