// The two local OCI sources: an OCI image layout directory (oci:DIR[:REF]) and a
// `docker save` tarball (docker-archive:FILE[:NAME:TAG]).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "oci/reference.hpp"
#include "stage0/fetch/oci_source.hpp"

namespace pod::fetch {

// `scratch_dir` holds the anonymous files an archive's members are copied to (on the
// store's file system, so nothing is left behind whatever happens).
[[nodiscard]] std::unique_ptr<OciSource> open_layout_source(const oci::Reference& ref);
[[nodiscard]] std::unique_ptr<OciSource> open_archive_source(const oci::Reference& ref,
                                                             const std::string& scratch_dir);

// A file with no name in `dir` (O_TMPFILE, or a named file unlinked at once).
[[nodiscard]] UniqueFd anonymous_file_in(const std::string& dir);

}  // namespace pod::fetch
