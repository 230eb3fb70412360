#include "oci/layout.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/digest.hpp"

namespace pod::oci {

std::string layout_blob_path(const std::string& dir, const std::string& digest) {
  Digest d = parse_digest(digest);
  return dir + "/blobs/" + d.algorithm + "/" + d.hex;
}

LayoutImage find_layout_image(const std::string& dir, const std::string& ref) {
  return with_context("reading the OCI layout " + dir, [&] {
    if (!is_directory(dir)) {
      Error e("no such directory", ENOENT);
      e.set_hint("oci:DIR[:REF] names a directory written by e.g. skopeo copy ... oci:DIR:REF");
      throw e;
    }
    std::string marker = dir + "/oci-layout";
    if (!path_exists(marker))
      throw Error("it has no oci-layout file, so it is not an OCI image layout");
    auto lj = nlohmann::json::parse(read_file(marker), nullptr, false);
    if (!lj.is_object() || !lj.contains("imageLayoutVersion") ||
        !lj["imageLayoutVersion"].is_string())
      throw Error("oci-layout has no imageLayoutVersion");
    std::string index_text = read_file(dir + "/index.json");
    ParsedManifest idx = parse_manifest(index_text, media::kOciIndex, "index.json of " + dir);
    if (!idx.is_index) throw Error("index.json is not an image index");
    std::vector<LayoutImage> all;
    for (const auto& d : idx.index.manifests) {
      auto it = d.annotations.find(kRefNameAnnotation);
      all.push_back({d, it == d.annotations.end() ? std::string() : it->second});
    }
    std::vector<std::string> refs;
    for (const auto& i : all) refs.push_back(i.ref.empty() ? "(unnamed) " + i.manifest.digest : i.ref);
    if (ref.empty()) {
      if (all.size() == 1) return all.front();
      throw Error(all.empty() ? std::string("the layout holds no image")
                              : "the layout holds " + std::to_string(all.size()) +
                                    " images, so one must be named: " + join(refs, ", "),
                  0, "write oci:" + dir + ":REF");
    }
    for (const auto& i : all)
      if (i.ref == ref) return i;
    throw Error("the layout has no image named \"" + ref + "\"" +
                    (refs.empty() ? std::string() : " (it has " + join(refs, ", ") + ")"),
                ENOENT);
  });
}

}  // namespace pod::oci
