#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/cli/image_cli_util.hpp"

namespace pod::cli {

namespace {

// Copies the whole of `in` to `out` in the kernel (no user-space buffer).
void copy_fd(int in, int out, off_t size, const std::string& what) {
  off_t offset = 0;
  while (offset < size) {
    ssize_t n = ::copy_file_range(in, &offset, out, nullptr, static_cast<size_t>(size - offset), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
      n = ::sendfile(out, in, &offset, static_cast<size_t>(size - offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("copying to " + what);
    }
    if (n == 0) throw Error("copying to " + what + ": the image file ended early");
  }
}

}  // namespace

Command image_export_command() {
  Command c;
  c.name = "image export";
  c.summary = "Export an image from the local store to an ACI file";
  c.usage = "pod image export [--overwrite] ID|NAME OUT.aci";
  c.description =
      "Writes the image exactly as it was imported (same bytes, same compression), so its "
      "signature still verifies. The store is only read: nothing is fetched. The file appears "
      "whole or not at all.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    p.add()("overwrite", "replace OUT.aci when it exists",
            cxxopts::value<bool>()->default_value("false"))(
        "args", "", cxxopts::value<std::vector<std::string>>());
    p.positional({"args"}, "ID|NAME OUT.aci");
    auto res = p.parse(inv.args, inv.global);
    auto args =
        res.count("args") ? res["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (args.size() != 2) throw UsageError("pod image export needs an image and an output file");
    const std::string& out = args[1];
    bool overwrite = res["overwrite"].as<bool>();
    store::Store st = open_image_store(inv.global);
    store::ImageRecord img = image_for_argument(st, args[0]);
    if (st.find_oci(img.id)) {
      // An OCI image has no ACI bytes to copy: its layers are flattened into a new ACI.
      std::printf("%s\n", st.export_oci_as_aci(img.id, out, overwrite).c_str());
      return 0;
    }
    with_context("exporting image " + img.id + " to " + out, [&] {
      if (!overwrite && ::access(out.c_str(), F_OK) == 0) {
        throw Error(out + " already exists", 0, "add --overwrite to replace it");
      }
      UniqueFd in = open_fd(st.blob_path(img.id), O_RDONLY);
      struct stat st_in;
      if (::fstat(in.get(), &st_in) < 0) throw_errno("inspecting the stored image");
      std::string tmp =
          out + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
      std::string parent = parent_dir(out);
      UniqueFd dst = [&] {
        try {
          return open_fd(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        } catch (Error& e) {
          if (e.errnum() == ENOENT)
            e.set_hint("the directory " + parent + " does not exist: create it first");
          throw;
        }
      }();
      try {
        copy_fd(in.get(), dst.get(), st_in.st_size, tmp);
        if (::fsync(dst.get()) < 0) throw_errno("syncing " + tmp);
        // Without --overwrite, refuse to replace a file that appeared meanwhile.
        unsigned flags = overwrite ? 0 : RENAME_NOREPLACE;
        if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), flags) < 0) {
          int e = errno;
          Error err("renaming " + tmp + " to " + out, e);
          if (e == EEXIST) err.set_hint("add --overwrite to replace it");
          throw err;
        }
      } catch (Error& e) {
        (void)::unlink(tmp.c_str());  // the error being thrown is what matters
        if ((e.errnum() == ENOSPC || e.errnum() == EDQUOT) && e.hint().empty())
          e.set_hint("the file system holding " + parent + " is full; nothing was written");
        throw;
      } catch (...) {
        (void)::unlink(tmp.c_str());
        throw;
      }
    });
    return 0;
  };
  return c;
}

}  // namespace pod::cli
