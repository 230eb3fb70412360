// Printing an image manifest as `pod image cat-manifest` does, whatever the manifest came
// from (an ACI file here; the image store can hand its stored text to the same function).
#pragma once

#include <string>
#include <string_view>

namespace pod::cli {

// The manifest JSON, compact or indented with tabs (as rkt prints it), keys in the
// order the image's author wrote them. Throws Error when the text is not JSON.
[[nodiscard]] std::string format_manifest(std::string_view manifest_text, bool pretty);

// The manifest text of an ACI file, read without the rest of the image; validated.
[[nodiscard]] std::string manifest_of_aci_file(const std::string& path);

}  // namespace pod::cli
