// What an IMAGE argument of `pod fetch` (and run/prepare) means, decided from its text
// alone: a store image ID, a local file, an http(s) URL, or an appc name to discover.
#pragma once

#include <string>
#include <string_view>

namespace pod::fetch {

enum class SourceKind { image_id, file, url, name, oci };

struct ImageSource {
  SourceKind kind;
  std::string value;  // the ID, the absolute file path, the URL, the name with labels, or
                      // an OCI reference (docker://, oci:, docker-archive:) as given
};

// "docker://", "oci:" and "docker-archive:" are OCI references; "sha512-..." is an ID; "file://X", "/x", "./x", "../x", "x.aci" or an existing file is a
// file; "http(s)://" a URL; other schemes are refused with UsageError; anything else a name.
[[nodiscard]] ImageSource classify_image(std::string_view arg);

}  // namespace pod::fetch
