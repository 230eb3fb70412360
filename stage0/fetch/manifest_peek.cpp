#include "stage0/fetch/manifest_peek.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace pod::fetch {

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};

constexpr size_t kMaxManifest = 1 << 20;  // the spec sets no limit; a real one is a few KiB

}  // namespace

ManifestSummary peek_manifest(int fd, const std::string& source) {
  return with_context("reading the manifest of " + source, [&] {
    if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seeking");
    std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
    if (!a) throw Error("cannot create a libarchive reader", ENOMEM);
    (void)archive_read_support_filter_all(a.get());
    (void)archive_read_support_format_tar(a.get());
    if (archive_read_open_fd(a.get(), fd, 64 * 1024) != ARCHIVE_OK)
      throw Error(std::string("not an ACI archive: ") + archive_error_string(a.get()));
    archive_entry* entry = nullptr;
    std::string text;
    bool found = false;
    for (;;) {
      int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
        throw Error(std::string("not an ACI archive: ") + archive_error_string(a.get()));
      std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      if (path.starts_with("./")) path = path.substr(2);
      if (path != "manifest") continue;
      if (archive_entry_size(entry) > static_cast<la_int64_t>(kMaxManifest))
        throw Error("the manifest is larger than 1 MiB");
      text.resize(static_cast<size_t>(archive_entry_size(entry)));
      la_ssize_t n = archive_read_data(a.get(), text.data(), text.size());
      if (n < 0 || static_cast<size_t>(n) != text.size())
        throw Error("the manifest cannot be read: " +
                    std::string(n < 0 ? archive_error_string(a.get()) : "short read"));
      found = true;
      break;
    }
    if (::lseek(fd, 0, SEEK_SET) < 0) throw_errno("seeking");
    if (!found) throw Error("the archive has no manifest, so it is not an ACI");
    ManifestSummary out;
    try {
      auto j = nlohmann::json::parse(text);
      out.name = j.at("name").get<std::string>();
      if (j.contains("labels") && j["labels"].is_array())
        for (const auto& l : j["labels"])
          out.labels.emplace_back(l.at("name").get<std::string>(), l.at("value").get<std::string>());
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("the manifest is not valid: ") + e.what());
    }
    if (out.name.empty()) throw Error("the manifest has no name");
    return out;
  });
}

}  // namespace pod::fetch
