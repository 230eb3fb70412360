// RAII owners of libarchive handles and the error text they carry (internal to aci/).
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace pod::aci {

struct ArchiveReadFree {
  void operator()(archive* a) const noexcept { (void)archive_read_free(a); }  // nothing to report
};
struct ArchiveWriteFree {
  void operator()(archive* a) const noexcept { (void)archive_write_free(a); }  // nothing to report
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};

using ArchiveReadPtr = std::unique_ptr<archive, ArchiveReadFree>;
using ArchiveWritePtr = std::unique_ptr<archive, ArchiveWriteFree>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// libarchive's message for the last failure of `a` ("unknown error" when it has none).
[[nodiscard]] inline std::string archive_error_text(archive* a) {
  const char* s = archive_error_string(a);
  return s && *s ? s : "unknown libarchive error";
}

}  // namespace pod::aci
