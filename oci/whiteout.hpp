// Layer whiteouts (OCI image-spec "Representing Changes"): ".wh.NAME" deletes NAME from
// the layers below, ".wh..wh..opq" makes its directory opaque (hides all below it).
// pod keeps layers as overlayfs lower directories, so these become what overlayfs
// understands: a 0/0 character device and the trusted.overlay.opaque="y" attribute.
#pragma once

#include <string>
#include <string_view>

namespace pod::oci {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
inline constexpr const char* kOverlayOpaqueXattr = "trusted.overlay.opaque";

enum class EntryKind { plain, whiteout, opaque };

struct EntryClass {
  EntryKind kind = EntryKind::plain;
  std::string dir;     // the directory the entry is in ("" for the top), no trailing '/'
  std::string target;  // whiteout: the name deleted (one path component)
};

// Classifies a layer tar entry name ("a/b/.wh.c", "./a/.wh..wh..opq"). Throws Error for a
// whiteout naming nothing, ".", ".." or another ".wh." name.
[[nodiscard]] EntryClass classify_entry(std::string_view name);

}  // namespace pod::oci
