// libcrypto, loaded with dlopen on first use instead of linked. Resolving its ~4,200 symbol
// relocations (and 17,000 relative ones) at start-up was most of the dynamic loader's work
// in every `pod` command (callgrind: 4.3 M of the 7.8 M instructions of `pod prepare` of a
// stored image went to relocation), while only the commands that hash (imports, fetches,
// verification) need it; `pod run` of a stored image hashes nothing (render.cpp reads the
// tree ID from the index). Each function pod calls is defined here with OpenSSL's own
// declaration (the headers are included, so a signature that drifts fails to compile) and
// forwards to the library's symbol, looked up once, as aci/libarchive_loader.cpp does.
// Programs that link libcrypto themselves (the metadata service) still work: dlopen finds
// the copy already loaded. A function pod starts to use is added the same way.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <string>

#include "common/error.hpp"

namespace {

constexpr const char* kLibcrypto = "libcrypto.so.3";  // Debian 12's libssl3

void* library() {
  // Never dlclose'd: the functions must stay valid for the process's life.
  static void* const lib = [] {
    void* h = ::dlopen(kLibcrypto, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      pod::Error e(std::string("loading ") + kLibcrypto + ": " + (why ? why : "unknown error"));
      e.set_hint("install Debian's libssl3 package (scripts/install-deps.sh does)");
      throw e;
    }
    return h;
  }();
  return lib;
}

void* crypto_symbol(const char* name) {
  void* sym = ::dlsym(library(), name);
  if (!sym) {
    pod::Error e(std::string("loading ") + kLibcrypto + ": symbol " + name + " is missing");
    e.set_hint("install Debian's libssl3 package (scripts/install-deps.sh does)");
    throw e;
  }
  return sym;
}

}  // namespace

extern "C" {

int SHA512_Init(SHA512_CTX* c) {
  static const auto fn = reinterpret_cast<decltype(&::SHA512_Init)>(crypto_symbol("SHA512_Init"));
  return fn(c);
}

int SHA512_Update(SHA512_CTX* c, const void* data, size_t len) {
  static const auto fn = reinterpret_cast<decltype(&::SHA512_Update)>(crypto_symbol("SHA512_Update"));
  return fn(c, data, len);
}

int SHA512_Final(unsigned char* md, SHA512_CTX* c) {
  static const auto fn = reinterpret_cast<decltype(&::SHA512_Final)>(crypto_symbol("SHA512_Final"));
  return fn(md, c);
}

unsigned char* SHA1(const unsigned char* d, size_t n, unsigned char* md) {
  static const auto fn = reinterpret_cast<decltype(&::SHA1)>(crypto_symbol("SHA1"));
  return fn(d, n, md);
}

EVP_MD_CTX* EVP_MD_CTX_new(void) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_MD_CTX_new)>(crypto_symbol("EVP_MD_CTX_new"));
  return fn();
}

void EVP_MD_CTX_free(EVP_MD_CTX* ctx) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_MD_CTX_free)>(crypto_symbol("EVP_MD_CTX_free"));
  fn(ctx);
}

int EVP_DigestInit_ex(EVP_MD_CTX* ctx, const EVP_MD* type, ENGINE* impl) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_DigestInit_ex)>(crypto_symbol("EVP_DigestInit_ex"));
  return fn(ctx, type, impl);
}

int EVP_DigestUpdate(EVP_MD_CTX* ctx, const void* d, size_t cnt) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_DigestUpdate)>(crypto_symbol("EVP_DigestUpdate"));
  return fn(ctx, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX* ctx, unsigned char* md, unsigned int* s) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_DigestFinal_ex)>(crypto_symbol("EVP_DigestFinal_ex"));
  return fn(ctx, md, s);
}

const EVP_MD* EVP_sha256(void) {
  static const auto fn = reinterpret_cast<decltype(&::EVP_sha256)>(crypto_symbol("EVP_sha256"));
  return fn();
}

}  // extern "C"
