// How a pod reaches an image's tree (public: stage0/pods mounts it). An ACI's rendered
// tree is one directory; an OCI image's tree is a stack of layer trees, mounted as one
// overlayfs with several lower directories. The stack is named by short links inside the
// tree (l/0, l/1, ...), so the mount options stay far below the kernel's one-page limit
// even for 60 layers, and the option is given relative to the tree directory.
#pragma once

#include <string>

namespace pod::store {

struct TreeLower {
  std::string base;      // directory the lowerdir paths are relative to ("" for absolute)
  std::string lowerdir;  // overlayfs lowerdir value: topmost first, ':'-separated
  bool layered = false;  // several layers (whiteouts to honour when copying instead)
};

// The lower directories of tree `tree_id` of the store in `data_dir`.
[[nodiscard]] TreeLower tree_lower(const std::string& data_dir, const std::string& tree_id);

// Where overlayfs is unavailable: writes the union of the layers into `target` (an empty
// or missing directory), bottom layer first, whiteouts and opaque directories applied.
void flatten_layers(const TreeLower& lower, const std::string& target);

// What the layers show at `path` (absolute in the image, symlinks on the way resolved
// inside the image), copied into `target` (a directory that must not exist yet) as
// flatten_layers would: owners, modes, times and extended attributes kept, whiteouts and
// opaque directories applied; `target` itself gets the owner and mode of the image's
// directory. Returns false, creating nothing, when the image has no directory there.
// Seeds a pod's anonymous volume (Docker's rule: a volume starts as the image's files).
[[nodiscard]] bool copy_layers_at(const TreeLower& lower, const std::string& path,
                                  const std::string& target);

// Makes `path` (resolved as copy_layers_at does) an empty opaque directory in `upper`, an
// overlay upper directory over these layers, its parents made with the owners, modes and
// times the layers give them: a volume seeded from the image's files is then mounted over
// an empty directory instead of hiding a second copy of them. Does nothing when the image
// has no directory there.
void mask_in_upper(const TreeLower& lower, const std::string& path, const std::string& upper);

}  // namespace pod::store
