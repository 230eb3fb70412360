#include "stage0/fetch/oci_signature.hpp"

#include <nlohmann/json.hpp>

#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/reference.hpp"
#include "oci/simple_signing.hpp"
#include "stage0/fetch/http_client.hpp"
#include "stage0/fetch/trust_store.hpp"

namespace pod::fetch {

namespace {

// More signatures than any image carries; stops a lookaside store that never says 404.
constexpr int kMaxSignatures = 16;
constexpr size_t kMaxSignatureSize = 4 << 20;

SigstoreEntry parse_sigstore_file(const std::string& path) {
  return with_context("reading " + path, [&] {
    auto j = nlohmann::json::parse(read_file(path), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("not a JSON object");
    std::string kind = j.value("podKind", j.value("rktKind", std::string()));
    if (kind != "sigstore") throw Error("\"podKind\" must be \"sigstore\"");
    if (j.value("podVersion", j.value("rktVersion", std::string())) != "v1")
      throw Error("\"podVersion\" must be \"v1\"");
    SigstoreEntry e;
    e.prefix = j.value("prefix", std::string());
    e.lookaside = j.value("lookaside", std::string());
    e.source = path;
    while (!e.prefix.empty() && e.prefix.back() == '/') e.prefix.pop_back();
    if (e.prefix.empty()) throw Error("\"prefix\" must name a registry or repository (host[:port][/name])");
    if (!starts_with(e.lookaside, "file://") && !starts_with(e.lookaside, "http://") &&
        !starts_with(e.lookaside, "https://"))
      throw Error("\"lookaside\" must be a file://, http:// or https:// URL");
    return e;
  });
}

}  // namespace

std::vector<SigstoreEntry> load_sigstores(const FetchSettings& settings) {
  std::vector<SigstoreEntry> out;
  for (const auto& dir : {settings.system_config, settings.local_config}) {
    if (dir.empty() || !is_directory(dir + "/sigstore.d")) continue;
    for (const auto& name : list_dir(dir + "/sigstore.d")) {
      if (!ends_with(name, ".json")) continue;
      SigstoreEntry e = parse_sigstore_file(dir + "/sigstore.d/" + name);
      for (auto it = out.begin(); it != out.end();)
        it = it->prefix == e.prefix ? out.erase(it) : it + 1;
      out.push_back(e);
    }
  }
  return out;
}

std::optional<SigstoreEntry> sigstore_for(const std::vector<SigstoreEntry>& all,
                                          const std::string& name) {
  std::optional<SigstoreEntry> best;
  for (const auto& e : all) {
    bool covers = name == e.prefix || starts_with(name, e.prefix + "/");
    if (covers && (!best || e.prefix.size() > best->prefix.size())) best = e;
  }
  return best;
}

OciSignatureCheck verify_oci_signature(const FetchSettings& settings, const Logger& log,
                                       const std::string& name, const std::string& reference,
                                       const std::string& manifest_digest) {
  return with_context("verifying the signature of " + reference, [&] {
    std::string hint_skip = "to skip verification (unsafe): --insecure-options=image";
    auto store = sigstore_for(load_sigstores(settings), name);
    if (!store)
      throw Error("no signature store is configured for " + name, ENOENT,
                  "add a sigstore.d/*.json entry for it to the local configuration (see "
                  "Documentation/oci.md); " + hint_skip);
    oci::DockerName dn = oci::parse_docker_name(reference);
    std::string prefix = oci::appc_name_for(name);
    TrustStore trust(settings.local_config, settings.system_config);
    auto keys = trust.keys_for(prefix);
    std::optional<HttpClient> http;
    std::vector<std::string> problems;
    std::optional<Error> first_error;
    for (int n = 1; n <= kMaxSignatures; ++n) {
      std::string url = oci::lookaside_url(store->lookaside, dn.repository, manifest_digest, n);
      std::string sig;
      if (starts_with(url, "file://")) {
        std::string path = url.substr(7);
        if (!path_exists(path)) break;
        sig = read_file(path);
      } else {
        if (!http) http.emplace(make_http_settings(settings), log);
        try {
          sig = http->get_text(url, "signature " + std::to_string(n), kMaxSignatureSize);
        } catch (const HttpStatusError& e) {
          if (e.not_found()) break;
          throw;
        }
      }
      std::string what = "signature " + url;
      try {
        const aci::SignedMessage v = aci::verify_signed_message(sig, keys, what, prefix);
        oci::SignaturePayload p = with_context(what, [&] { return oci::parse_signature_payload(v.plaintext); });
        if (p.manifest_digest != manifest_digest)
          throw Error("refused: " + what + " (by " + v.signer.fingerprint + ") is for manifest " +
                      p.manifest_digest + ", not " + manifest_digest + " which the registry sent");
        if (!oci::reference_matches(p.docker_reference, reference))
          throw Error("refused: " + what + " (by " + v.signer.fingerprint + ") is for image \"" +
                      p.docker_reference + "\", not " + reference);
        log.debug("signature " + url + " names " + p.docker_reference + " at " + p.manifest_digest);
        return OciSignatureCheck{v.signer.fingerprint, v.signer.uid, prefix, url};
      } catch (const Error& e) {
        problems.push_back(e.what());
        if (!first_error) first_error = e;
      }
    }
    if (first_error) {
      if (problems.size() > 1) {
        Error all("no signature of " + reference + " verifies: " + join(problems, "; "), 0,
                  first_error->hint());
        throw all;
      }
      throw *first_error;
    }
    throw Error("no signature for " + reference + " (" + manifest_digest + ") in " +
                    store->lookaside + " (configured in " + store->source + "): " +
                    oci::lookaside_url(store->lookaside, dn.repository, manifest_digest, 1) +
                    " does not exist",
                ENOENT, "sign the image (skopeo copy --sign-by KEY ...) into that store; " + hint_skip);
  });
}

}  // namespace pod::fetch
