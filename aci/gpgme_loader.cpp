// gpgme, loaded with dlopen on first use instead of linked: linking it made every `pod`
// command load libgpgme, libassuan and libgpg-error and resolve their symbols at start-up,
// `pod run` of a stored image included, while only commands that check signatures or read
// keys through gpg use it. Each function pod calls is defined here with gpgme's own
// declaration (gpgme.h is still included, so a signature that drifts fails to compile) and
// forwards to the library's symbol, looked up once, as aci/libarchive_loader.cpp does.
// A function pod starts to use is added the same way (nm -u of the objects lists them).
#include <dlfcn.h>
#include <gpgme.h>

#include <string>

#include "common/error.hpp"

namespace {

constexpr const char* kLibgpgme = "libgpgme.so.11";  // Debian's libgpgme11

void* library() {
  // Never dlclose'd: the functions must stay valid for the process's life.
  static void* const lib = [] {
    void* h = ::dlopen(kLibgpgme, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      pod::Error e(std::string("loading ") + kLibgpgme + ": " + (why ? why : "unknown error"));
      e.set_hint("install Debian's libgpgme11 package (scripts/install-deps.sh does)");
      throw e;
    }
    return h;
  }();
  return lib;
}

void* gpgme_symbol(const char* name) {
  void* sym = ::dlsym(library(), name);
  if (!sym) {
    pod::Error e(std::string("loading ") + kLibgpgme + ": symbol " + name + " is missing");
    e.set_hint("install Debian's libgpgme11 package (scripts/install-deps.sh does)");
    throw e;
  }
  return sym;
}

}  // namespace

extern "C" {

const char* gpgme_check_version_internal(const char* req_version, size_t offset_sig_validity) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_check_version_internal)>(gpgme_symbol("gpgme_check_version_internal"));
  return fn(req_version, offset_sig_validity);
}

gpgme_error_t gpgme_ctx_set_engine_info(gpgme_ctx_t ctx, gpgme_protocol_t proto, const char* file_name, const char* home_dir) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_ctx_set_engine_info)>(gpgme_symbol("gpgme_ctx_set_engine_info"));
  return fn(ctx, proto, file_name, home_dir);
}

gpgme_error_t gpgme_data_new(gpgme_data_t* r_dh) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_data_new)>(gpgme_symbol("gpgme_data_new"));
  return fn(r_dh);
}

gpgme_error_t gpgme_data_new_from_fd(gpgme_data_t* dh, int fd) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_data_new_from_fd)>(gpgme_symbol("gpgme_data_new_from_fd"));
  return fn(dh, fd);
}

gpgme_error_t gpgme_data_new_from_mem(gpgme_data_t* r_dh, const char* buffer, size_t size, int copy) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_data_new_from_mem)>(gpgme_symbol("gpgme_data_new_from_mem"));
  return fn(r_dh, buffer, size, copy);
}

void gpgme_data_release(gpgme_data_t dh) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_data_release)>(gpgme_symbol("gpgme_data_release"));
  fn(dh);
}

char* gpgme_data_release_and_get_mem(gpgme_data_t dh, size_t* r_len) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_data_release_and_get_mem)>(gpgme_symbol("gpgme_data_release_and_get_mem"));
  return fn(dh, r_len);
}

void gpgme_free(void* buffer) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_free)>(gpgme_symbol("gpgme_free"));
  fn(buffer);
}

gpgme_error_t gpgme_get_key(gpgme_ctx_t ctx, const char* fpr, gpgme_key_t* r_key, int secret) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_get_key)>(gpgme_symbol("gpgme_get_key"));
  return fn(ctx, fpr, r_key, secret);
}

void gpgme_key_unref(gpgme_key_t key) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_key_unref)>(gpgme_symbol("gpgme_key_unref"));
  fn(key);
}

gpgme_error_t gpgme_new(gpgme_ctx_t* ctx) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_new)>(gpgme_symbol("gpgme_new"));
  return fn(ctx);
}

gpgme_error_t gpgme_op_export(gpgme_ctx_t ctx, const char* pattern, gpgme_export_mode_t mode, gpgme_data_t keydata) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_export)>(gpgme_symbol("gpgme_op_export"));
  return fn(ctx, pattern, mode, keydata);
}

gpgme_error_t gpgme_op_import(gpgme_ctx_t ctx, gpgme_data_t keydata) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_import)>(gpgme_symbol("gpgme_op_import"));
  return fn(ctx, keydata);
}

gpgme_import_result_t gpgme_op_import_result(gpgme_ctx_t ctx) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_import_result)>(gpgme_symbol("gpgme_op_import_result"));
  return fn(ctx);
}

gpgme_error_t gpgme_op_keylist_end(gpgme_ctx_t ctx) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_keylist_end)>(gpgme_symbol("gpgme_op_keylist_end"));
  return fn(ctx);
}

gpgme_error_t gpgme_op_keylist_from_data_start(gpgme_ctx_t ctx, gpgme_data_t data, int reserved) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_keylist_from_data_start)>(gpgme_symbol("gpgme_op_keylist_from_data_start"));
  return fn(ctx, data, reserved);
}

gpgme_error_t gpgme_op_keylist_next(gpgme_ctx_t ctx, gpgme_key_t* r_key) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_keylist_next)>(gpgme_symbol("gpgme_op_keylist_next"));
  return fn(ctx, r_key);
}

gpgme_error_t gpgme_op_verify(gpgme_ctx_t ctx, gpgme_data_t sig, gpgme_data_t signed_text, gpgme_data_t plaintext) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_verify)>(gpgme_symbol("gpgme_op_verify"));
  return fn(ctx, sig, signed_text, plaintext);
}

gpgme_verify_result_t gpgme_op_verify_result(gpgme_ctx_t ctx) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_op_verify_result)>(gpgme_symbol("gpgme_op_verify_result"));
  return fn(ctx);
}

void gpgme_release(gpgme_ctx_t ctx) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_release)>(gpgme_symbol("gpgme_release"));
  fn(ctx);
}

void gpgme_set_armor(gpgme_ctx_t ctx, int yes) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_set_armor)>(gpgme_symbol("gpgme_set_armor"));
  fn(ctx, yes);
}

void gpgme_set_offline(gpgme_ctx_t ctx, int yes) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_set_offline)>(gpgme_symbol("gpgme_set_offline"));
  fn(ctx, yes);
}

const char* gpgme_strerror(gpgme_error_t err) {
  static const auto fn = reinterpret_cast<decltype(&::gpgme_strerror)>(gpgme_symbol("gpgme_strerror"));
  return fn(err);
}

}  // extern "C"
