#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/temp_path.hpp"
#include "stage0/fetch/trust_store.hpp"

using namespace pod;
using namespace pod::fetch;

namespace {

// A private GNUPGHOME for making real keys and signatures with the gpg program; its
// agent is stopped when the test ends, whatever happens.
class GpgHome {
 public:
  GpgHome() : dir_(make_temp_dir("/tmp", "pod-gpg-test-")) {}
  ~GpgHome() { (void)run({"gpgconf", "--kill", "all"}); }  // best effort: stops the agent
  pod::RunResult run(std::vector<std::string> argv, std::optional<std::string> input = {}) {
    SpawnOptions o;
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    env["GNUPGHOME"] = dir_.path();
    o.env = env;
    o.stdin_data = std::move(input);
    return run_command(argv, o);
  }
  // Makes a signing key; returns its fingerprint.
  std::string make_key(const std::string& uid, const std::vector<std::string>& extra = {},
                       const std::string& expire = "never") {
    std::vector<std::string> argv = {"gpg", "--batch", "--passphrase", ""};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"--quick-gen-key", uid, "ed25519", "sign", expire});
    auto r = run(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto l = run({"gpg", "--batch", "--with-colons", "--list-keys", uid});
    for (const auto& line : split_lines(l.out))
      if (line.rfind("fpr:", 0) == 0) {
        auto f = line.substr(0, line.size() - 1);
        return lower(f.substr(f.rfind(':') + 1));
      }
    FAIL("no fingerprint for " << uid);
    return {};
  }
  std::string export_key(const std::string& fpr) {
    return run({"gpg", "--batch", "--armor", "--export", fpr}).out;
  }
  std::string sign(const std::string& fpr, const std::string& file,
                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"gpg", "--batch", "--yes", "--armor", "--local-user", fpr};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"--output", "-", "--detach-sign", file});
    auto r = run(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
  }
  void revoke(const std::string& fpr) {
    std::string cert = read_file(dir_.path() + "/openpgp-revocs.d/" + upper(fpr) + ".rev");
    auto pos = cert.find(":-----BEGIN");
    REQUIRE(pos != std::string::npos);
    cert.erase(pos, 1);  // gpg guards the certificate with a colon against accidental use
    auto r = run({"gpg", "--batch", "--import"}, cert);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  const std::string& path() const { return dir_.path(); }

 private:
  static std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < s.size()) {
      size_t nl = s.find('\n', start);
      if (nl == std::string::npos) nl = s.size();
      out.push_back(s.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  }
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  TempPath dir_;
};

aci::SignatureFailure failure_of(int fd, const std::string& sig,
                                 const std::vector<aci::TrustedKey>& keys) {
  try {
    (void)aci::verify_detached_signature(fd, sig, keys, "img", "example.com/app");
  } catch (const aci::SignatureError& e) {
    return e.failure();
  }
  FAIL("the signature verified");
  return aci::SignatureFailure::malformed;
}

}  // namespace

TEST_CASE("trust store: prefixes are AC identifiers kept as nested directories") {
  CHECK(TrustStore::check_prefix("example.com/app/") == "example.com/app");
  CHECK_THROWS_AS((void)TrustStore::check_prefix("example.com/../etc"), UsageError);
  CHECK_THROWS_AS((void)TrustStore::check_prefix("Example.com"), UsageError);
  CHECK_THROWS_AS((void)TrustStore::check_prefix("a//b"), UsageError);
  CHECK_THROWS_AS((void)TrustStore::check_prefix(""), UsageError);
  CHECK_THROWS_AS((void)TrustStore::check_prefix("/abs"), UsageError);
  TrustStore ts("/etc/pod", "/usr/lib/pod");
  CHECK(ts.prefix_dir("example.com/app", false) == "/etc/pod/trustedkeys/prefix.d/example.com/app");
  CHECK(ts.prefix_dir("example.com", true) == "/usr/lib/pod/trustedkeys/prefix.d/example.com");
  CHECK(ts.root_dir(false) == "/etc/pod/trustedkeys/root.d");
  CHECK(TrustStore::normalize_fingerprint("ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD ABCD") ==
        std::string(40, 'a').replace(0, 40, "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcd"));
  CHECK_THROWS_AS((void)TrustStore::normalize_fingerprint("xyz"), UsageError);
}

TEST_CASE("trust store: keys for a name, masking, listing and removal") {
  TempPath root = make_temp_dir("/tmp", "pod-trust-test-");
  TrustStore ts(root.path() + "/local", root.path() + "/system");
  std::string a(40, 'a'), b(40, 'b'), c(40, 'c'), d(40, 'd');
  (void)ts.add("example.com", a, "key-a");
  (void)ts.add("example.com/app", b, "key-b");
  (void)ts.add("", c, "key-c");
  (void)ts.add("other.org", d, "key-d");
  auto fprs = [&](std::string_view name) {
    std::vector<std::string> out;
    for (const auto& k : ts.keys_for(name)) out.push_back(k.fingerprint);
    return out;
  };
  CHECK(fprs("example.com/app") == std::vector<std::string>{a, b, c});
  CHECK(fprs("example.com/app/sub") == std::vector<std::string>{a, b, c});
  CHECK(fprs("example.com/other") == std::vector<std::string>{a, c});
  CHECK(fprs("example.community/app") == std::vector<std::string>{c});

  // A system key, then masked by pod trust rm.
  make_dirs(root.path() + "/system/trustedkeys/prefix.d/example.com");
  std::string e(40, 'e');
  write_file_atomic(root.path() + "/system/trustedkeys/prefix.d/example.com/" + e, "key-e");
  CHECK(fprs("example.com/x") == std::vector<std::string>{a, c, e});
  CHECK(ts.list().size() == 5);
  auto removed = ts.remove(e);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0] == root.path() + "/local/trustedkeys/prefix.d/example.com/" + e);
  CHECK(fprs("example.com/x") == std::vector<std::string>{a, c});
  CHECK(path_exists(root.path() + "/system/trustedkeys/prefix.d/example.com/" + e));

  (void)ts.remove(b);
  CHECK(fprs("example.com/app") == std::vector<std::string>{a, c});
  CHECK_THROWS_WITH_AS((void)ts.remove(std::string(40, 'f')), doctest::Contains("no trusted key"),
                       Error);
}

TEST_CASE("signatures: good, tampered, untrusted, expired and revoked keys (real gpg)") {
  GpgHome gpg;
  TempPath work = make_temp_dir("/tmp", "pod-sig-test-");
  std::string image = work.path() + "/image.aci";
  write_file_atomic(image, "pretend this is an ACI\n");
  std::string good = gpg.make_key("Good <good@example.com>");
  std::string other = gpg.make_key("Other <other@example.com>");
  std::string old = gpg.make_key("Old <old@example.com>", {"--faked-system-time", "20200101T000000!"}, "1d");
  std::string gone = gpg.make_key("Gone <gone@example.com>");

  auto info = aci::read_public_keys(gpg.export_key(good), "good.asc");
  REQUIRE(info.size() == 1);
  CHECK(info[0].fingerprint == good);
  CHECK(info[0].uids == std::vector<std::string>{"Good <good@example.com>"});
  CHECK_FALSE(info[0].expired);
  CHECK_THROWS_AS((void)aci::read_public_keys("not a key", "junk"), Error);
  CHECK(aci::format_fingerprint("abcd1234ef") == "ABCD 1234 EF");

  std::string sig_good = gpg.sign(good, image);
  std::string sig_old = gpg.sign(old, image, {"--faked-system-time", "20200101T120000!"});
  std::string sig_gone = gpg.sign(gone, image);
  gpg.revoke(gone);

  std::vector<aci::TrustedKey> trusted = {{good, gpg.export_key(good), "good"},
                                          {old, gpg.export_key(old), "old"},
                                          {gone, gpg.export_key(gone), "gone"}};
  UniqueFd fd = open_fd(image, O_RDONLY);
  auto ok = aci::verify_detached_signature(fd.get(), sig_good, trusted, "img", "example.com/app");
  CHECK(ok.fingerprint == good);
  CHECK(ok.uid == "Good <good@example.com>");

  CHECK(failure_of(fd.get(), sig_good, {}) == aci::SignatureFailure::no_trusted_keys);
  CHECK(failure_of(fd.get(), sig_good, {{other, gpg.export_key(other), "other"}}) ==
        aci::SignatureFailure::untrusted_key);
  CHECK(failure_of(fd.get(), sig_old, trusted) == aci::SignatureFailure::expired_key);
  CHECK(failure_of(fd.get(), sig_gone, trusted) == aci::SignatureFailure::revoked_key);
  CHECK(failure_of(fd.get(), "garbage", trusted) == aci::SignatureFailure::malformed);

  write_file_atomic(image, "pretend this is an ACI, tampered\n");
  UniqueFd tampered = open_fd(image, O_RDONLY);
  CHECK(failure_of(tampered.get(), sig_good, trusted) == aci::SignatureFailure::bad_signature);

  // The untrusted-key message names the key and the prefix searched.
  try {
    (void)aci::verify_detached_signature(fd.get(), sig_good, {{other, gpg.export_key(other), "o"}},
                                         "example.com/app:1.0", "example.com/app");
    FAIL("verified");
  } catch (const aci::SignatureError& e) {
    std::string m = e.what();
    CHECK(m.find("example.com/app:1.0") != std::string::npos);
    CHECK(m.find("prefix \"example.com/app\"") != std::string::npos);
  }
  // A key file whose name does not match its content is refused.
  CHECK_THROWS_WITH_AS((void)aci::verify_detached_signature(
                           fd.get(), sig_good, {{other, gpg.export_key(good), "misnamed"}}, "i",
                           "p"),
                       doctest::Contains("does not hold the key"), Error);
}

TEST_CASE("signed messages (simple signing): the content comes back only from a trusted, intact signature") {
  GpgHome gpg;
  TempPath work = make_temp_dir("/tmp", "pod-sig-test-");
  const std::string payload = work.path() + "/payload.json";
  write_file_atomic(payload, "{\"critical\":{}}\n");
  const std::string good = gpg.make_key("Good <good@example.com>");
  const std::string other = gpg.make_key("Other <other@example.com>");
  auto r = gpg.run({"gpg", "--batch", "--yes", "--local-user", good, "--output", "-", "--sign", payload});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string message = r.out;
  const std::vector<aci::TrustedKey> trusted = {{good, gpg.export_key(good), "good"}};

  auto v = aci::verify_signed_message(message, trusted, "signature file:///s-1", "example.com/app");
  CHECK(v.plaintext == "{\"critical\":{}}\n");
  CHECK(v.signer.fingerprint == good);
  CHECK(v.signer.uid == "Good <good@example.com>");

  auto failure = [&](const std::string& msg, const std::vector<aci::TrustedKey>& keys) {
    try {
      (void)aci::verify_signed_message(msg, keys, "signature file:///s-1", "example.com/app");
    } catch (const aci::SignatureError& e) {
      CHECK(std::string(e.what()).find("signature file:///s-1") != std::string::npos);
      return e.failure();
    }
    FAIL("verified");
    return aci::SignatureFailure::malformed;
  };
  CHECK(failure(message, {}) == aci::SignatureFailure::no_trusted_keys);
  CHECK(failure(message, {{other, gpg.export_key(other), "other"}}) == aci::SignatureFailure::untrusted_key);
  CHECK(failure("not a signed message", trusted) == aci::SignatureFailure::malformed);
  // A detached signature is not a signed message: there is no content to return.
  auto d = gpg.run({"gpg", "--batch", "--yes", "--local-user", good, "--output", "-", "--detach-sign", payload});
  REQUIRE_MESSAGE(d.exit_code == 0, d.err);
  const auto detached = failure(d.out, trusted);
  CHECK((detached == aci::SignatureFailure::malformed || detached == aci::SignatureFailure::bad_signature));
}
