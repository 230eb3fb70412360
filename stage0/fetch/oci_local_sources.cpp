#include "stage0/fetch/oci_local_sources.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "aci/libarchive_handle.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/digest.hpp"
#include "oci/layout.hpp"

namespace pod::fetch {

namespace {

std::string read_bounded(int fd, uint64_t max, const std::string& what) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("reading " + what);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max) break;  // the caller's size check reports it
  }
  return out;
}

class LayoutSource : public OciSource {
 public:
  explicit LayoutSource(const oci::Reference& ref) : dir_(ref.path), ref_(ref.ref) {
    image_ = oci::find_layout_image(dir_, ref_);
  }
  FetchedManifest top_manifest() override { return manifest(image_.manifest); }
  FetchedManifest manifest(const oci::Descriptor& d) override {
    return {small_blob(d), d.media_type};
  }
  std::string small_blob(const oci::Descriptor& d) override {
    UniqueFd fd = blob(d);
    return read_bounded(fd.get(), d.size, oci::layout_blob_path(dir_, d.digest));
  }
  UniqueFd blob(const oci::Descriptor& d) override {
    std::string path = oci::layout_blob_path(dir_, d.digest);
    try {
      return open_fd(path, O_RDONLY);
    } catch (Error& e) {
      e.set_hint("the layout " + dir_ + " is incomplete: blob " + d.digest + " is missing");
      throw;
    }
  }
  std::string describe() const override { return "oci:" + dir_ + (ref_.empty() ? "" : ":" + ref_); }

 private:
  std::string dir_;
  std::string ref_;
  oci::LayoutImage image_;
};

// `docker save` output: manifest.json naming the config and the layer tars of each image.
// The members are copied once into anonymous files while the digests are computed, and
// the image is then presented as a Docker schema 2 manifest over them.
class ArchiveSource : public OciSource {
 public:
  ArchiveSource(const oci::Reference& ref, const std::string& scratch) : ref_(ref) {
    with_context("reading docker-archive " + ref.path, [&] { load(scratch); });
  }
  FetchedManifest top_manifest() override {
    return {manifest_text_, std::string(oci::media::kDockerManifest)};
  }
  FetchedManifest manifest(const oci::Descriptor&) override {
    throw Error("a docker archive has no index");
  }
  std::string small_blob(const oci::Descriptor& d) override {
    UniqueFd fd = blob(d);
    return read_bounded(fd.get(), d.size, d.digest);
  }
  UniqueFd blob(const oci::Descriptor& d) override {
    auto it = by_digest_.find(d.digest);
    if (it == by_digest_.end()) throw Error("the archive has no member " + d.digest);
    // A second descriptor of the same fd: its own offset, starting at 0.
    UniqueFd dup(::open(("/proc/self/fd/" + std::to_string(members_.at(it->second).get())).c_str(),
                        O_RDONLY | O_CLOEXEC));
    if (!dup) throw_errno("reopening archive member " + it->second);
    return dup;
  }
  std::string describe() const override { return ref_.text; }

 private:
  void load(const std::string& scratch) {
    aci::ArchiveReadPtr a(archive_read_new());
    if (!a) throw Error("allocating a libarchive reader", ENOMEM);
    (void)archive_read_support_filter_gzip(a.get());
    (void)archive_read_support_filter_zstd(a.get());
    (void)archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), ref_.path.c_str(), 1 << 16) != ARCHIVE_OK)
      throw Error(aci::archive_error_text(a.get()), ENOENT,
                  "docker-archive:FILE names a file written by docker save");
    archive_entry* e = nullptr;
    std::map<std::string, std::pair<std::string, uint64_t>> digests;  // member -> digest, size
    for (;;) {
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) throw Error("not a tar archive: " + aci::archive_error_text(a.get()));
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
      while (starts_with(name, "./")) name.erase(0, 2);
      UniqueFd fd = anonymous_file_in(scratch);
      oci::Sha256 h;
      uint64_t n = 0;
      const void* buf = nullptr;
      size_t size = 0;
      la_int64_t off = 0;
      for (;;) {
        int rr = archive_read_data_block(a.get(), &buf, &size, &off);
        if (rr == ARCHIVE_EOF) break;
        if (rr < ARCHIVE_WARN) throw Error("reading member " + name + ": " + aci::archive_error_text(a.get()));
        if (static_cast<uint64_t>(off) != n)
          throw Error("member " + name + " is sparse, which docker save never writes");
        write_all(fd.get(), std::string_view(static_cast<const char*>(buf), size), name);
        h.update(buf, size);
        n += size;
      }
      digests[name] = {h.digest(), n};
      members_[name] = std::move(fd);
    }
    auto mf = members_.find("manifest.json");
    if (mf == members_.end())
      throw Error("it has no manifest.json, so it is not a docker save archive");
    oci::Descriptor mdesc{"", digests["manifest.json"].first, digests["manifest.json"].second, {}, {}, false, {}};
    by_digest_[mdesc.digest] = "manifest.json";
    auto j = nlohmann::json::parse(small_blob(mdesc), nullptr, false);
    if (!j.is_array() || j.empty()) throw Error("manifest.json is not a non-empty array");
    const nlohmann::json* chosen = nullptr;
    std::vector<std::string> tags;
    for (const auto& img : j) {
      if (!img.is_object()) continue;
      if (img.contains("RepoTags") && img["RepoTags"].is_array())
        for (const auto& t : img["RepoTags"]) {
          if (!t.is_string()) continue;
          tags.push_back(t.get<std::string>());
          if (ref_.has_name) {
            oci::DockerName n = oci::parse_docker_name(t.get<std::string>());
            if (n.name() == ref_.docker.name() && n.tag == ref_.docker.tag) chosen = &img;
          }
        }
    }
    if (!ref_.has_name) {
      if (j.size() != 1)
        throw Error("it holds " + std::to_string(j.size()) + " images (" + join(tags, ", ") +
                        "), so one must be named",
                    0, "write docker-archive:" + ref_.path + ":NAME:TAG");
      chosen = &j[0];
    }
    if (!chosen)
      throw Error("it has no image tagged " + ref_.docker.reference() +
                  (tags.empty() ? std::string() : " (it has " + join(tags, ", ") + ")"));
    if (!tags.empty() && !ref_.has_name) repo_tag_ = tags.front();
    auto member_desc = [&](const std::string& member, std::string_view type) {
      auto it = digests.find(member);
      if (it == digests.end()) throw Error("manifest.json names " + member + ", which is not in the archive");
      by_digest_[it->second.first] = member;
      return nlohmann::json{{"mediaType", type}, {"digest", it->second.first}, {"size", it->second.second}};
    };
    if (!chosen->contains("Config") || !(*chosen)["Config"].is_string())
      throw Error("manifest.json has no Config for the image");
    nlohmann::json m{{"schemaVersion", 2},
                     {"mediaType", oci::media::kDockerManifest},
                     {"config", member_desc((*chosen)["Config"].get<std::string>(), oci::media::kDockerConfig)},
                     {"layers", nlohmann::json::array()}};
    if (chosen->contains("Layers") && (*chosen)["Layers"].is_array())
      for (const auto& l : (*chosen)["Layers"])
        if (l.is_string())
          m["layers"].push_back(member_desc(l.get<std::string>(), "application/vnd.docker.image.rootfs.diff.tar"));
    manifest_text_ = m.dump();
  }

  oci::Reference ref_;
  std::map<std::string, UniqueFd> members_;
  std::map<std::string, std::string> by_digest_;  // digest -> member
  std::string manifest_text_;
  std::string repo_tag_;

 public:
  std::string own_tag() const override { return repo_tag_; }
};

}  // namespace

UniqueFd anonymous_file_in(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  std::string tmpl = path_join(dir, ".oci-XXXXXX");
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("creating a scratch file in " + dir);
  (void)::unlink(tmpl.c_str());
  return UniqueFd(fd);
}

std::unique_ptr<OciSource> open_layout_source(const oci::Reference& ref) {
  return std::make_unique<LayoutSource>(ref);
}

std::unique_ptr<OciSource> open_archive_source(const oci::Reference& ref, const std::string& scratch) {
  return std::make_unique<ArchiveSource>(ref, scratch);
}

}  // namespace pod::fetch
