#include "aci/openpgp_keys.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <map>

#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "common/temp_path.hpp"

using namespace pod;
using namespace pod::aci;

namespace {

// Real keys from the gpg program in a private GNUPGHOME (its agent stopped at the end).
class Gpg {
 public:
  Gpg() : dir_(make_temp_dir("/tmp", "pod-openpgp-test-")) {}
  ~Gpg() { (void)run({"gpgconf", "--kill", "all"}); }
  RunResult run(std::vector<std::string> argv, std::optional<std::string> input = {}) {
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
  void ok(const std::vector<std::string>& argv) {
    auto r = run(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  std::string fingerprint(const std::string& uid) {
    auto l = run({"gpg", "--batch", "--with-colons", "--list-keys", uid});
    for (const auto& line : split(l.out, '\n'))
      if (line.rfind("fpr:", 0) == 0) {
        auto f = line.substr(0, line.size() - 1);  // fpr:::::::::HEX:
        std::string fpr = f.substr(f.rfind(':') + 1);
        for (auto& c : fpr) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return fpr;
      }
    FAIL("no fingerprint for " << uid);
    return {};
  }
  std::string make_key(const std::string& uid, const std::string& algo = "ed25519",
                       const std::string& usage = "sign") {
    ok({"gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, algo, usage, "never"});
    return fingerprint(uid);
  }
  std::string export_key(const std::string& fpr, bool armor = true) {
    std::vector<std::string> argv = {"gpg", "--batch"};
    if (armor) argv.emplace_back("--armor");
    argv.insert(argv.end(), {"--export", fpr});
    return run(argv).out;
  }

 private:
  TempPath dir_;
};

// What `pod trust list` showed before it parsed keys itself: gpg's own listing.
void check_same_as_gpg(const std::string& data) {
  auto ours = summarize_public_keys(data, "keyfile");
  auto gpgs = list_public_keys(data, "keyfile");
  REQUIRE(ours.size() == gpgs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    CHECK(ours[i].fingerprint == gpgs[i].fingerprint);
    CHECK(join(ours[i].uids, " | ") == join(gpgs[i].uids, " | "));
  }
}

// The packets of a binary key as gpg writes them (old-format headers), each with its header.
std::vector<std::string> split_packets(const std::string& bin) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < bin.size()) {
    auto head = static_cast<unsigned char>(bin[pos]);
    REQUIRE((head & 0xc0) == 0x80);
    size_t octets = size_t{1} << (head & 3);
    REQUIRE(octets <= 4);
    size_t len = 0;
    for (size_t i = 0; i < octets; ++i) len = (len << 8) | static_cast<unsigned char>(bin.at(pos + 1 + i));
    out.push_back(bin.substr(pos, 1 + octets + len));
    pos += 1 + octets + len;
  }
  return out;
}

std::string error_of(std::string_view data) {
  try {
    (void)summarize_public_keys(data, "/etc/pod/trustedkeys/root.d/abc");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("openpgp keys: fingerprints and user IDs are gpg's, for keys gpg made") {
  Gpg gpg;
  std::string ed = gpg.make_key("Ed Signer <ed@example.com>");
  // A key with an encryption subkey, two more user IDs (one non-ASCII) and one revoked.
  std::string multi = gpg.make_key("Multi <multi@example.com>", "ed25519", "cert");
  gpg.ok({"gpg", "--batch", "--passphrase", "", "--quick-add-key", multi, "cv25519", "encr"});
  gpg.ok({"gpg", "--batch", "--passphrase", "", "--quick-add-uid", multi, "Zweiter Schlüssel <z@example.com>"});
  gpg.ok({"gpg", "--batch", "--passphrase", "", "--quick-add-uid", multi, "Old <old@example.com>"});
  gpg.ok({"gpg", "--batch", "--passphrase", "", "--quick-revoke-uid", multi, "Old <old@example.com>"});
  std::string rsa = gpg.make_key("Rsa Signer <rsa@example.com>", "rsa1024");

  SUBCASE("armoured, one key") { check_same_as_gpg(gpg.export_key(ed)); }
  SUBCASE("armoured, subkeys and several user IDs") {
    check_same_as_gpg(gpg.export_key(multi));
    auto keys = summarize_public_keys(gpg.export_key(multi), "k");
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].fingerprint == multi);
    CHECK(keys[0].uids.size() == 3);
    CHECK(keys[0].uids.back() == "Old <old@example.com>");  // revoked: never the primary
    // The user ID flagged primary comes first, as gpg lists it.
    gpg.ok({"gpg", "--batch", "--passphrase", "", "--quick-set-primary-uid", multi, "Multi <multi@example.com>"});
    check_same_as_gpg(gpg.export_key(multi));
    CHECK(summarize_public_keys(gpg.export_key(multi), "k")[0].uids.front() == "Multi <multi@example.com>");
  }
  SUBCASE("rsa") { check_same_as_gpg(gpg.export_key(rsa)); }
  SUBCASE("binary") {
    std::string bin = gpg.export_key(ed, false);
    REQUIRE((static_cast<unsigned char>(bin.at(0)) & 0x80) != 0);
    check_same_as_gpg(bin);
  }
  SUBCASE("several keys in one file, armoured blocks one after the other") {
    std::string both = gpg.export_key(ed) + "\n" + gpg.export_key(rsa);
    auto keys = summarize_public_keys(both, "k");
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].fingerprint == ed);
    CHECK(keys[1].fingerprint == rsa);
  }
  SUBCASE("a user ID without the key's certification is not listed; no such user ID is an error") {
    // ed's export: public key, user ID, its self-signature. Without the signature, gpg
    // refuses the key (no valid user ID); so does the parser, naming the file.
    auto packets = split_packets(gpg.export_key(ed, false));
    REQUIRE(packets.size() == 3);
    CHECK(error_of(packets[0] + packets[1]).find("no user ID certified by the key") != std::string::npos);
    // A second user ID without a signature after a certified one is left out.
    const std::string extra_uid = std::string("\xb4\x0e") + "Unsigned <u@x>";
    auto keys = summarize_public_keys(packets[0] + packets[1] + packets[2] + extra_uid, "k");
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].uids == std::vector<std::string>{"Ed Signer <ed@example.com>"});
  }
}

TEST_CASE("openpgp keys: malformed files are errors naming the file, never crashes") {
  Gpg gpg;
  const std::string fpr = gpg.make_key("Cut <cut@example.com>");
  const std::string armored = gpg.export_key(fpr);
  const std::string bin = gpg.export_key(fpr, false);

  CHECK(error_of("").find("/etc/pod/trustedkeys/root.d/abc: the file is empty") == 0);
  CHECK(error_of("hello\n").find("not an OpenPGP public key") != std::string::npos);
  CHECK(error_of(armored.substr(0, armored.size() / 2)).find("no \"-----END PGP PUBLIC KEY BLOCK-----\"") !=
        std::string::npos);

  // Every truncation of the binary key: an error naming the file, or a shorter key list.
  for (size_t n = 1; n < bin.size(); ++n) {
    try {
      (void)summarize_public_keys(bin.substr(0, n), "/k");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).rfind("/k: ", 0) == 0);
    }
  }
  // Every single-byte corruption of the binary key: the same.
  for (size_t i = 0; i < bin.size(); ++i) {
    std::string bad = bin;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    try {
      (void)summarize_public_keys(bad, "/k");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).rfind("/k: ", 0) == 0);
    }
  }

  SUBCASE("a damaged armour body fails its checksum") {
    std::string bad = armored;
    auto body = bad.find("\n\n") + 2;
    bad[body + 10] = bad[body + 10] == 'A' ? 'B' : 'A';
    CHECK(error_of(bad).find("checksum does not match") != std::string::npos);
  }
  SUBCASE("base64 garbage") {
    std::string bad = armored;
    auto body = bad.find("\n\n") + 2;
    bad[body + 3] = '*';
    CHECK(error_of(bad).find("not valid base64") != std::string::npos);
  }
  SUBCASE("an unsupported key version") {
    std::string bad = bin;
    // The first packet is the public key; its body starts after the tag and length octets.
    size_t body = (static_cast<unsigned char>(bad[0]) & 0x40) ? 2 : 1 + (1u << (bad[0] & 3));
    bad[body] = 3;
    CHECK(error_of(bad).find("key version 3 is not supported") != std::string::npos);
  }
  SUBCASE("a secret key") {
    auto r = gpg.run({"gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                      "--export-secret-keys", fpr});
    REQUIRE(r.exit_code == 0);
    CHECK(error_of(r.out).find("holds a secret key") != std::string::npos);
  }
}
