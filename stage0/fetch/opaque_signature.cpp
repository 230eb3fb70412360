#include "stage0/fetch/opaque_signature.hpp"

#include <gpgme.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/temp_path.hpp"

namespace pod::fetch {

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

void check_gpg(gpgme_error_t err, const std::string& what) {
  if (gpgme_err_code(err) != GPG_ERR_NO_ERROR)
    throw Error(what + ": " + gpgme_strerror(err), 0,
                "gpgme drives the gpg program: check that gnupg is installed");
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

GpgData data_from(std::string_view data, const std::string& what) {
  gpgme_data_t raw = nullptr;
  check_gpg(gpgme_data_new_from_mem(&raw, data.data(), data.size(), 1), "reading " + what);
  return GpgData(raw);
}

}  // namespace

OpaqueVerified verify_signed_message(std::string_view message,
                                     const std::vector<aci::TrustedKey>& keys,
                                     const std::string& what, const std::string& prefix) {
  using aci::SignatureError;
  using aci::SignatureFailure;
  std::string trust_hint = "to trust the signer: pod trust --prefix=" + prefix +
                           " KEYFILE; to skip verification: --insecure-options=image";
  if (keys.empty())
    throw SignatureError(SignatureFailure::no_trusted_keys,
                         what + ": no keys are trusted for prefix \"" + prefix + "\"", trust_hint);
  static const bool initialized = [] {
    (void)gpgme_check_version(nullptr);
    return true;
  }();
  (void)initialized;
  const char* tmp = std::getenv("TMPDIR");
  TempPath home = make_temp_dir(tmp && *tmp ? tmp : "/tmp", "pod-gpg-");
  write_file_atomic(home.path() + "/gpg.conf", "no-autostart\n", 0600);
  gpgme_ctx_t raw = nullptr;
  check_gpg(gpgme_new(&raw), "creating a gpgme context");
  GpgCtx ctx(raw);
  check_gpg(gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home.path().c_str()),
            "setting up gpg in " + home.path());
  gpgme_set_offline(ctx.get(), 1);
  for (const auto& k : keys) {
    GpgData d = data_from(k.data, k.path);
    check_gpg(gpgme_op_import(ctx.get(), d.get()), "importing trusted key " + k.path);
  }
  GpgData sig = data_from(message, "the signature of " + what);
  gpgme_data_t plain_raw = nullptr;
  check_gpg(gpgme_data_new(&plain_raw), "allocating a gpgme buffer");
  GpgData plain(plain_raw);
  gpgme_error_t err = gpgme_op_verify(ctx.get(), sig.get(), nullptr, plain.get());
  gpgme_verify_result_t res = gpgme_op_verify_result(ctx.get());
  if (gpgme_err_code(err) != GPG_ERR_NO_ERROR || !res || !res->signatures)
    throw SignatureError(SignatureFailure::malformed,
                         "the signature of " + what + " is not an OpenPGP signed message" +
                             (gpgme_err_code(err) != GPG_ERR_NO_ERROR
                                  ? std::string(": ") + gpgme_strerror(err)
                                  : std::string()),
                         "simple-signing signatures are made with gpg --sign (skopeo and podman "
                         "write them with --sign-by)");
  gpgme_signature_t s = res->signatures;
  std::string fpr = s->fpr ? lower(s->fpr) : "(unknown)";
  std::string uid;
  gpgme_key_t key_raw = nullptr;
  if (s->fpr && gpgme_err_code(gpgme_get_key(ctx.get(), s->fpr, &key_raw, 0)) == GPG_ERR_NO_ERROR) {
    GpgKey key(key_raw);
    if (key->fpr) fpr = lower(key->fpr);
    if (key->uids && key->uids->uid) uid = key->uids->uid;
  }
  auto code = gpgme_err_code(s->status);
  if (code == GPG_ERR_NO_PUBKEY)
    throw SignatureError(SignatureFailure::untrusted_key,
                         what + " is signed by key " + fpr + ", which is not trusted for prefix \"" +
                             prefix + "\"",
                         trust_hint);
  if (code == GPG_ERR_BAD_SIGNATURE)
    throw SignatureError(SignatureFailure::bad_signature,
                         what + ": bad signature by key " + fpr + ": the signed content was altered");
  if ((s->summary & GPGME_SIGSUM_KEY_REVOKED) || code == GPG_ERR_CERT_REVOKED)
    throw SignatureError(SignatureFailure::revoked_key, what + " is signed by revoked key " + fpr);
  if ((s->summary & GPGME_SIGSUM_KEY_EXPIRED) || code == GPG_ERR_KEY_EXPIRED)
    throw SignatureError(SignatureFailure::expired_key, what + " is signed by expired key " + fpr);
  if (code != GPG_ERR_NO_ERROR)
    throw SignatureError(SignatureFailure::bad_signature,
                         what + ": signature by key " + fpr + " does not verify: " + gpgme_strerror(s->status));
  size_t len = 0;
  char* buf = gpgme_data_release_and_get_mem(plain.release(), &len);
  std::string text(buf ? buf : "", buf ? len : 0);
  gpgme_free(buf);
  return {text, fpr, uid};
}

}  // namespace pod::fetch
