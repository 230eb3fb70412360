#include "aci/signature.hpp"

#include <gpgme.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <cctype>
#include <memory>
#include <optional>

#include "common/fs.hpp"
#include "common/strings.hpp"
#include "common/temp_path.hpp"

namespace pod::aci {

namespace {

struct CtxDeleter {
  void operator()(gpgme_ctx_t c) const noexcept { gpgme_release(c); }
};
struct DataDeleter {
  void operator()(gpgme_data_t d) const noexcept { gpgme_data_release(d); }
};
struct KeyDeleter {
  void operator()(gpgme_key_t k) const noexcept { gpgme_key_unref(k); }
};
using GpgCtx = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, CtxDeleter>;
using GpgData = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataDeleter>;
using GpgKey = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyDeleter>;

[[noreturn]] void throw_gpg(const std::string& what, gpgme_error_t err) {
  throw Error(what + ": " + gpgme_strerror(err), 0,
              "gpgme drives the gpg program: check that gnupg is installed");
}

void check_gpg(gpgme_error_t err, const std::string& what) {
  if (gpgme_err_code(err) != GPG_ERR_NO_ERROR) throw_gpg(what, err);
}

// gpgme must learn its version once before any context is made; a function-local
// static makes that happen exactly once even with threads.
void init_gpgme() {
  static const bool initialized = [] {
    (void)gpgme_check_version(nullptr);  // returns the version string, nothing to check
    return true;
  }();
  (void)initialized;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A gpg engine with a private, throw-away home: only the keys imported into it count,
// and nothing of the user's keyrings or trust database is read or changed.
class Keyring {
 public:
  Keyring() {
    init_gpgme();
    const char* tmp = std::getenv("TMPDIR");
    home_ = make_temp_dir(tmp && *tmp ? tmp : "/tmp", "pod-gpg-");
    // Public keys and verification need no agent: without this gpg would start one per
    // keyring, only for it to notice its home is gone and exit later.
    write_file_atomic(home_.path() + "/gpg.conf", "no-autostart\n", 0600);
    gpgme_ctx_t raw = nullptr;
    check_gpg(gpgme_new(&raw), "creating a gpgme context");
    ctx_.reset(raw);
    check_gpg(gpgme_ctx_set_engine_info(ctx_.get(), GPGME_PROTOCOL_OpenPGP, nullptr,
                                        home_.path().c_str()),
              "setting up gpg in " + home_.path());
    gpgme_set_offline(ctx_.get(), 1);  // never look keys up on the network
    gpgme_set_armor(ctx_.get(), 1);
  }

  [[nodiscard]] gpgme_ctx_t ctx() const noexcept { return ctx_.get(); }

  // Imports key data; returns the fingerprints of the primary keys imported.
  std::vector<std::string> import(std::string_view data, const std::string& source) {
    GpgData d = data_from(data, source);
    check_gpg(gpgme_op_import(ctx_.get(), d.get()), "importing keys from " + source);
    std::vector<std::string> fprs;
    gpgme_import_result_t res = gpgme_op_import_result(ctx_.get());
    for (gpgme_import_status_t st = res ? res->imports : nullptr; st; st = st->next)
      if (gpgme_err_code(st->result) == GPG_ERR_NO_ERROR && st->fpr) fprs.push_back(lower(st->fpr));
    return fprs;
  }

  [[nodiscard]] GpgKey key(const std::string& fpr) const {
    gpgme_key_t raw = nullptr;
    if (gpgme_err_code(gpgme_get_key(ctx_.get(), fpr.c_str(), &raw, 0)) != GPG_ERR_NO_ERROR)
      return nullptr;
    return GpgKey(raw);
  }

  static GpgData data_from(std::string_view data, const std::string& source) {
    gpgme_data_t raw = nullptr;
    check_gpg(gpgme_data_new_from_mem(&raw, data.data(), data.size(), 1),
              "reading " + source);
    return GpgData(raw);
  }

 private:
  // Declared first so it is removed last, after the context that uses it is gone.
  TempPath home_;
  GpgCtx ctx_;
};

std::string first_uid(gpgme_key_t key) {
  return key && key->uids && key->uids->uid ? key->uids->uid : "";
}

std::string format_date(int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// The fingerprint to name in messages: the primary key's when the keyring knows it.
std::string signer_name(const Keyring& kr, gpgme_signature_t sig, std::string* uid) {
  std::string fpr = sig->fpr ? lower(sig->fpr) : "(unknown)";
  if (GpgKey key = sig->fpr ? kr.key(sig->fpr) : nullptr) {
    if (key->fpr) fpr = lower(key->fpr);
    if (uid) *uid = first_uid(key.get());
  }
  return fpr;
}

std::string with_uid(const std::string& fpr, const std::string& uid) {
  return uid.empty() ? fpr : fpr + " (" + uid + ")";
}

// What a signature check is about, for its messages: "image X" or "signature URL", and
// what a bad signature means for it.
struct Subject {
  std::string name;
  std::string mismatch;  // appended to "NAME: bad signature by key K"
  std::string mismatch_hint;
};

// Several signatures may be present: one good signature by a trusted, live key is
// enough; otherwise the first problem found is thrown.
SignatureCheck first_good_signature(const Keyring& kr, gpgme_verify_result_t res, const Subject& subject,
                                    const std::string& pfx, const std::string& trust_hint) {
  std::optional<SignatureError> problem;
  for (gpgme_signature_t sig = res->signatures; sig; sig = sig->next) {
    std::string uid;
    std::string fpr = signer_name(kr, sig, &uid);
    std::string who = with_uid(fpr, uid);
    auto code = gpgme_err_code(sig->status);
    bool revoked = (sig->summary & GPGME_SIGSUM_KEY_REVOKED) || code == GPG_ERR_CERT_REVOKED;
    bool key_expired = (sig->summary & GPGME_SIGSUM_KEY_EXPIRED) || code == GPG_ERR_KEY_EXPIRED;
    bool sig_expired = (sig->summary & GPGME_SIGSUM_SIG_EXPIRED) || code == GPG_ERR_SIG_EXPIRED;
    std::optional<SignatureError> this_problem;
    if (code == GPG_ERR_NO_PUBKEY) {
      this_problem.emplace(SignatureFailure::untrusted_key,
                           subject.name + " is signed by key " + fpr +
                               ", which is not trusted for prefix \"" + pfx + "\"",
                           trust_hint);
    } else if (code == GPG_ERR_BAD_SIGNATURE) {
      this_problem.emplace(SignatureFailure::bad_signature,
                           subject.name + ": bad signature by key " + who + subject.mismatch,
                           subject.mismatch_hint);
    } else if (revoked) {
      this_problem.emplace(SignatureFailure::revoked_key,
                           subject.name + " is signed by key " + who +
                               ", which has been revoked (trusted for prefix \"" + pfx + "\")",
                           "do not use this image; remove the key with pod trust rm " + fpr);
    } else if (key_expired) {
      GpgKey key = kr.key(fpr);
      std::string when = key && key->subkeys && key->subkeys->expires
                             ? " on " + format_date(key->subkeys->expires)
                             : "";
      this_problem.emplace(SignatureFailure::expired_key,
                           subject.name + " is signed by key " + who + ", which expired" +
                               when + " (trusted for prefix \"" + pfx + "\")",
                           "ask the publisher for an image signed with a current key, or for "
                           "the key with its extended expiry date");
    } else if (sig_expired) {
      this_problem.emplace(SignatureFailure::expired_signature,
                           subject.name + ": the signature by key " + who + " has expired",
                           "ask the publisher for a fresh signature");
    } else if (code != GPG_ERR_NO_ERROR) {
      this_problem.emplace(SignatureFailure::bad_signature,
                           subject.name + ": signature by key " + who +
                               " does not verify: " + gpgme_strerror(sig->status));
    } else {
      return SignatureCheck{fpr, uid};
    }
    if (!problem) problem = std::move(this_problem);
  }
  throw *problem;
}

}  // namespace

std::string format_fingerprint(std::string_view fingerprint) {
  std::string out;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(fingerprint[i])));
  }
  return out;
}

std::vector<PublicKeyInfo> list_public_keys(std::string_view key_data, const std::string& source) {
  // Listed straight from the data (gpg --show-keys): nothing is imported, so no keyring
  // or trust database is written for keys that are only shown.
  Keyring kr;
  std::vector<PublicKeyInfo> out;
  GpgData data = Keyring::data_from(key_data, source);
  check_gpg(gpgme_op_keylist_from_data_start(kr.ctx(), data.get(), 0),
            "listing the keys of " + source);
  for (;;) {
    gpgme_key_t raw = nullptr;
    if (gpgme_err_code(gpgme_op_keylist_next(kr.ctx(), &raw)) != GPG_ERR_NO_ERROR || !raw) break;
    GpgKey key(raw);
    if (!key->fpr) continue;
    PublicKeyInfo info;
    info.fingerprint = lower(key->fpr);
    for (gpgme_user_id_t u = key->uids; u; u = u->next)
      if (u->uid) info.uids.emplace_back(u->uid);
    if (key->subkeys) info.expires = key->subkeys->expires;
    for (gpgme_subkey_t sk = key->subkeys ? key->subkeys->next : nullptr; sk; sk = sk->next)
      if (sk->fpr) info.subkey_fingerprints.push_back(lower(sk->fpr));
    info.expired = key->expired != 0;
    info.revoked = key->revoked != 0;
    out.push_back(std::move(info));
  }
  (void)gpgme_op_keylist_end(kr.ctx());
  return out;
}

std::vector<PublicKeyInfo> read_public_keys(std::string_view key_data, const std::string& source) {
  Keyring kr;
  auto fprs = kr.import(key_data, source);
  if (fprs.empty())
    throw Error("no OpenPGP public key found in " + source, 0,
                "give an ASCII-armoured public key (gpg --armor --export KEYID)");
  std::vector<PublicKeyInfo> out;
  for (const auto& fpr : fprs) {
    GpgKey key = kr.key(fpr);
    if (!key) continue;
    PublicKeyInfo info;
    info.fingerprint = lower(key->fpr ? key->fpr : fpr);
    for (gpgme_user_id_t u = key->uids; u; u = u->next)
      if (u->uid) info.uids.emplace_back(u->uid);
    if (key->subkeys) info.expires = key->subkeys->expires;
    for (gpgme_subkey_t sk = key->subkeys ? key->subkeys->next : nullptr; sk; sk = sk->next)
      if (sk->fpr) info.subkey_fingerprints.push_back(lower(sk->fpr));
    info.expired = key->expired != 0;
    info.revoked = key->revoked != 0;
    gpgme_data_t raw = nullptr;
    check_gpg(gpgme_data_new(&raw), "exporting key " + info.fingerprint);
    GpgData exported(raw);
    check_gpg(gpgme_op_export(kr.ctx(), info.fingerprint.c_str(), 0, exported.get()),
              "exporting key " + info.fingerprint);
    size_t len = 0;
    char* mem = gpgme_data_release_and_get_mem(exported.release(), &len);
    info.armored.assign(mem ? mem : "", mem ? len : 0);
    gpgme_free(mem);
    out.push_back(std::move(info));
  }
  // A key appearing twice (e.g. primary then an update of it) is reported once.
  std::vector<PublicKeyInfo> unique;
  for (auto& k : out) {
    bool dup = false;
    for (const auto& u : unique) dup = dup || u.fingerprint == k.fingerprint;
    if (!dup) unique.push_back(std::move(k));
  }
  return unique;
}

SignatureCheck verify_detached_signature(int signed_fd, std::string_view signature,
                                         const std::vector<TrustedKey>& keys,
                                         std::string_view image, std::string_view prefix) {
  std::string img(image);
  std::string pfx(prefix);
  std::string trust_hint = "to trust the signer: pod trust --prefix=" + pfx +
                           " KEYFILE (or without KEYFILE to discover the prefix's keys); "
                           "to skip verification: --insecure-options=image";
  if (keys.empty())
    throw SignatureError(SignatureFailure::no_trusted_keys,
                         "image " + img + ": no keys are trusted for prefix \"" + pfx + "\"",
                         trust_hint);
  Keyring kr;
  for (const auto& k : keys) {
    auto imported = kr.import(k.data, k.path);
    bool found = false;
    for (const auto& f : imported) found = found || f == k.fingerprint;
    if (!found)
      throw Error("trusted key file " + k.path + " does not hold the key it is named after (" +
                      k.fingerprint + ")",
                  0, "remove the file and trust the key again with pod trust");
  }
  if (::lseek(signed_fd, 0, SEEK_SET) < 0) throw_errno("seeking to the start of image " + img);
  gpgme_data_t raw = nullptr;
  check_gpg(gpgme_data_new_from_fd(&raw, signed_fd), "reading image " + img);
  GpgData signed_data(raw);
  GpgData sig_data = Keyring::data_from(signature, "the signature of " + img);
  gpgme_error_t err = gpgme_op_verify(kr.ctx(), sig_data.get(), signed_data.get(), nullptr);
  gpgme_verify_result_t res = gpgme_op_verify_result(kr.ctx());
  if (gpgme_err_code(err) != GPG_ERR_NO_ERROR || !res || !res->signatures)
    throw SignatureError(SignatureFailure::malformed,
                         "the signature of image " + img + " is not a valid OpenPGP signature" +
                             (gpgme_err_code(err) != GPG_ERR_NO_ERROR
                                  ? std::string(": ") + gpgme_strerror(err)
                                  : std::string()),
                         "sign images with gpg --armor --detach-sign IMAGE.aci");

  return first_good_signature(kr, res, {"image " + img, ": the image does not match its signature",
                                        "the image or its .asc was altered or corrupted; fetch it again "
                                        "from its publisher"},
                              pfx, trust_hint);
}

SignedMessage verify_signed_message(std::string_view message, const std::vector<TrustedKey>& keys,
                                    std::string_view what, std::string_view prefix) {
  std::string subject(what);
  std::string pfx(prefix);
  std::string trust_hint = "to trust the signer: pod trust --prefix=" + pfx +
                           " KEYFILE; to skip verification: --insecure-options=image";
  if (keys.empty())
    throw SignatureError(SignatureFailure::no_trusted_keys,
                         subject + ": no keys are trusted for prefix \"" + pfx + "\"", trust_hint);
  Keyring kr;
  for (const auto& k : keys) (void)kr.import(k.data, k.path);  // the fingerprints are not needed here
  GpgData sig = Keyring::data_from(message, "the signature of " + subject);
  gpgme_data_t plain_raw = nullptr;
  check_gpg(gpgme_data_new(&plain_raw), "allocating a gpgme buffer");
  GpgData plain(plain_raw);
  gpgme_error_t err = gpgme_op_verify(kr.ctx(), sig.get(), nullptr, plain.get());
  gpgme_verify_result_t res = gpgme_op_verify_result(kr.ctx());
  if (gpgme_err_code(err) != GPG_ERR_NO_ERROR || !res || !res->signatures)
    throw SignatureError(SignatureFailure::malformed,
                         subject + " is not an OpenPGP signed message" +
                             (gpgme_err_code(err) != GPG_ERR_NO_ERROR
                                  ? std::string(": ") + gpgme_strerror(err)
                                  : std::string()),
                         "simple-signing signatures are made with gpg --sign (skopeo and podman "
                         "write them with --sign-by)");
  SignedMessage out;
  out.signer = first_good_signature(kr, res, {subject, ": the signed content was altered", ""}, pfx, trust_hint);
  size_t len = 0;
  char* buf = gpgme_data_release_and_get_mem(plain.release(), &len);
  out.plaintext.assign(buf ? buf : "", buf ? len : 0);
  gpgme_free(buf);
  return out;
}

}  // namespace pod::aci
