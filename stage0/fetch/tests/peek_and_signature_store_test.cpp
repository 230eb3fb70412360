#include <doctest/doctest.h>

#include <fcntl.h>

#include "aci/archive.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"
#include "stage0/fetch/manifest_peek.hpp"
#include "stage0/fetch/signature_store.hpp"

using namespace pod;
using namespace pod::fetch;

TEST_CASE("manifest peek: name and labels of an ACI without importing it") {
  TempPath dir = make_temp_dir("/tmp", "pod-peek-test-");
  make_dirs(dir.path() + "/image/rootfs");
  write_file_atomic(dir.path() + "/image/manifest",
                    R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/peek",)"
                    R"("labels":[{"name":"version","value":"1.2"},{"name":"os","value":"linux"}]})");
  write_file_atomic(dir.path() + "/image/rootfs/file", "content");
  for (auto compression : {aci::Compression::gzip, aci::Compression::none, aci::Compression::xz}) {
    std::string out = dir.path() + "/peek-" + aci::compression_name(compression) + ".aci";
    aci::WriteOptions wo;
    wo.compression = compression;
    (void)aci::write_aci(dir.path() + "/image", out, wo);
    UniqueFd fd = open_fd(out, O_RDONLY);
    auto m = peek_manifest(fd.get(), out);
    CHECK(m.name == "example.com/peek");
    REQUIRE(m.labels.size() == 2);
    CHECK(m.labels[0] == std::pair<std::string, std::string>{"version", "1.2"});
    CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 0);  // left at the start for the next reader
  }
  write_file_atomic(dir.path() + "/junk.aci", "this is not an archive at all");
  UniqueFd junk = open_fd(dir.path() + "/junk.aci", O_RDONLY);
  CHECK_THROWS_WITH_AS((void)peek_manifest(junk.get(), "junk.aci"),
                       doctest::Contains("reading the manifest of junk.aci"), Error);
}

TEST_CASE("signature store: kept per image ID, IDs cannot escape the directory") {
  TempPath cas = make_temp_dir("/tmp", "pod-sigstore-test-");
  SignatureStore sigs(cas.path());
  std::string id = "sha512-" + std::string(128, 'a');
  CHECK_FALSE(sigs.load(id));
  sigs.save(id, "-----BEGIN PGP SIGNATURE-----\n");
  REQUIRE(sigs.load(id));
  CHECK(*sigs.load(id) == "-----BEGIN PGP SIGNATURE-----\n");
  CHECK(sigs.path_of(id) == cas.path() + "/signatures/" + id + ".asc");
  CHECK_THROWS_AS((void)sigs.path_of("../../etc/passwd"), Error);
  CHECK_THROWS_AS((void)sigs.path_of(".hidden"), Error);
  CHECK_THROWS_AS((void)sigs.path_of(""), Error);
}
