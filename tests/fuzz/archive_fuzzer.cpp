// Fuzzes read_aci with extraction: any input is either refused with pod::Error or
// extracted, and either way nothing may appear outside the extraction target (a sentinel
// directory beside it must stay empty). A read that extracts must agree with a read that
// only validates. Anything else aborts, and libFuzzer reports it.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "archive_fuzzer: %s\n", what.c_str());
  std::abort();
}

pod::UniqueFd input_fd(const uint8_t* data, size_t size) {
  pod::UniqueFd fd(::memfd_create("aci", MFD_CLOEXEC));
  if (!fd) broken("memfd_create failed");
  pod::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), "memfd");
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) broken("lseek failed");
  return fd;
}

// Image ID, or "" when refused.
std::string read_once(const uint8_t* data, size_t size, int target_fd) {
  pod::UniqueFd fd = input_fd(data, size);
  pod::aci::AciReadOptions opts;
  opts.extract_dirfd = target_fd;
  opts.extract.max_uncompressed_size = 64 << 20;
  opts.extract.allow_device_nodes = false;  // never make real device nodes on the fuzzing host
  try {
    return pod::aci::read_aci(fd.get(), "fuzz input", opts).image_id;
  } catch (const pod::Error&) {
    return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pod::TempPath root = pod::make_temp_dir("/tmp", "pod-archive-fuzz-");
  pod::make_dirs(root.path() + "/target");
  pod::make_dirs(root.path() + "/sentinel");
  std::string extracted;
  {
    pod::UniqueFd target = pod::open_dir(root.path() + "/target");
    extracted = read_once(data, size, target.get());
  }
  if (!pod::list_dir(root.path() + "/sentinel").empty()) broken("an entry escaped the target");
  std::string validated = read_once(data, size, -1);
  // Extraction may fail where validation passes (a file system limit), never the reverse.
  if (!extracted.empty() && extracted != validated)
    broken("extraction accepted what validation refused, or the image IDs differ");
  return 0;
}
