// Test helper: a private temp directory holding an extraction target and, beside it, a
// sentinel directory that every hostile-archive test checks is still empty afterwards.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "aci/archive.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

namespace pod::aci::testing {

struct ArchiveFixture {
  TempPath root = make_temp_dir("/tmp", "pod-archive-test-");
  std::string target = root.path() + "/target";
  std::string outside = root.path() + "/outside";
  std::string aci = root.path() + "/image.aci";

  ArchiveFixture() {
    make_dirs(target);
    make_dirs(outside);
  }

  AciInfo extract(const std::string& bytes, ExtractOptions extract = {}) {
    write_file_atomic(aci, bytes);
    UniqueFd dir = open_dir(target);
    AciReadOptions opts;
    opts.extract_dirfd = dir.get();
    opts.extract = extract;
    return read_aci_file(aci, opts);
  }

  [[nodiscard]] bool outside_empty() const { return list_dir(outside).empty(); }
  [[nodiscard]] bool exists(const std::string& rel) const { return path_exists(target + "/" + rel); }
  [[nodiscard]] struct stat lstat_of(const std::string& rel) const {
    struct stat st = {};
    (void)::lstat((target + "/" + rel).c_str(), &st);  // a missing file reads as all zero
    return st;
  }
};

}  // namespace pod::aci::testing
