#include "stage0/fetch/image_fetcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "aci/names.hpp"
#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage0/fetch/discoverer.hpp"
#include "stage0/fetch/image_source.hpp"
#include "stage0/fetch/manifest_peek.hpp"
#include "stage0/fetch/oci_fetcher.hpp"
#include "stage0/fetch/signature_store.hpp"
#include "stage0/fetch/url.hpp"

namespace pod::fetch {

namespace {

using LabelList = std::vector<std::pair<std::string, std::string>>;

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

// Time since the last lap, for --debug lines that show where a fetch spends its time.
class Stopwatch {
 public:
  std::string lap() {
    auto now = std::chrono::steady_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    last_ = now;
    return std::to_string(ms) + " ms";
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// A file with no name in `dir`: nothing is left behind whatever happens to the process.
UniqueFd anonymous_file(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  // Some file systems have no O_TMPFILE: a named file unlinked at once does the same.
  std::string tmpl = path_join(dir, ".fetch-XXXXXX");
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw_errno("creating a download file in " + dir);
  (void)::unlink(tmpl.c_str());  // the open fd keeps the data; a failure only leaves a file
  return UniqueFd(fd);
}

const char* kInsecureWarning =
    "signature verification is disabled by --insecure-options=image: the image's origin "
    "and integrity are not checked";

// The appc rule: every label asked for must be in the manifest with the same value.
void check_manifest_matches(const ManifestSummary& m, const std::string& image,
                            const std::string& name, const LabelList& labels) {
  if (m.name != name)
    throw Error("image " + image + " is named \"" + m.name + "\" in its manifest, not \"" + name +
                    "\"",
                0, "the server's discovery templates point to the wrong image");
  for (const auto& [k, v] : labels) {
    bool ok = false;
    for (const auto& [mk, mv] : m.labels) ok = ok || (mk == k && mv == v);
    if (!ok)
      throw Error("image " + image + " does not carry the label " + k + "=" + v +
                  " that was asked for");
  }
}

// The signature was checked for the name peek_manifest read; the store parsed the archive
// again on import. Should the two ever disagree (an archive read differently by the two
// readers), the image must not stay under a name its signature does not cover.
void check_imported_name(store::Store& st, const std::string& id, const std::string& verified,
                         const std::string& image) {
  auto rec = st.find_id(id);
  if (!rec || rec->name == verified) return;
  st.remove(id);
  throw Error("image " + image + " was imported as \"" + rec->name +
              "\" but its signature was checked for \"" + verified + "\"; it was removed again");
}

}  // namespace

ImageFetcher::ImageFetcher(store::Store& store, FetchSettings settings, Logger log)
    : store_(store),
      settings_(std::move(settings)),
      log_(log),
      trust_(settings_.local_config, settings_.system_config) {}

HttpSettings make_http_settings(const FetchSettings& settings) {
  HttpSettings hs;
  hs.allow_http = settings.insecure_http;
  hs.skip_tls_verify = settings.insecure_tls;
  hs.ca_bundle = HttpSettings::ca_bundle_from_env();
  hs.progress = settings.progress;
  hs.auth = with_context("reading auth.d configuration", [&] {
    return AuthConfig::load({settings.system_config, settings.local_config, settings.user_config});
  });
  return hs;
}

HttpClient& ImageFetcher::http() {
  if (!http_) {
    HttpSettings hs = make_http_settings(settings_);
    hs.allow_http = hs.allow_http || direct_http_url_;
    http_.emplace(std::move(hs), log_);
  }
  return *http_;
}

std::string ImageFetcher::fetch(const std::string& image,
                                const std::optional<std::string>& signature_file) {
  return with_context("fetching image " + image, [&]() -> std::string {
    ImageSource src = classify_image(image);
    switch (src.kind) {
      case SourceKind::image_id:
        return store_.get(src.value).id;
      case SourceKind::file:
        return fetch_file(src.value, signature_file);
      case SourceKind::url: {
        auto fetch_it = [&] {
          return fetch_url(src.value, src.value, signature_url_of(src.value), {}, {},
                           signature_file);
        };
        if (!starts_with(src.value, "http://") || settings_.insecure_http) return fetch_it();
        // Only for this URL and its signature: the client is made again around it.
        auto allow = [&](bool on) {
          direct_http_url_ = on;
          http_.reset();
        };
        allow(true);
        try {
          std::string id = fetch_it();
          allow(false);
          return id;
        } catch (...) {
          allow(false);
          throw;
        }
      }
      case SourceKind::name:
        return fetch_name(src.value, signature_file);
      case SourceKind::oci:
        if (signature_file)
          throw UsageError("--signature applies to ACIs; OCI images are verified from the "
                           "signature stores of sigstore.d");
        return OciFetcher(store_, settings_, log_).fetch(src.value);
    }
    throw Error("unknown image source");
  });
}

void ImageFetcher::verify(int fd, const std::string& signature, const std::string& image,
                          const std::string& name) {
  auto keys = trust_.keys_for(name);
  auto signer = aci::verify_detached_signature(fd, signature, keys, image, name);
  log_.info("signature of " + image + " verified: signed by " + signer.fingerprint +
            (signer.uid.empty() ? "" : " (" + signer.uid + ")") + ", trusted for prefix \"" +
            name + "\"");
}

std::string ImageFetcher::fetch_file(const std::string& path,
                                     const std::optional<std::string>& signature_file) {
  if (settings_.insecure_image) {
    log_.warn(kInsecureWarning);
    return store_.import_file(path);
  }
  UniqueFd fd = open_fd(path, O_RDONLY);
  std::string sig_path = signature_file ? *signature_file : path + ".asc";
  if (!path_exists(sig_path))
    throw Error(signature_file ? "the signature file " + sig_path + " does not exist"
                               : "no signature " + sig_path + " next to the image",
                ENOENT,
                "sign it with gpg --armor --detach-sign " + path +
                    ", or skip verification with --insecure-options=image");
  std::string signature = read_file(sig_path);
  ManifestSummary m = peek_manifest(fd.get(), path);
  verify(fd.get(), signature, path, m.name);
  std::string id = store_.import_file(path);
  check_imported_name(store_, id, m.name, path);
  SignatureStore(store_.cas_dir()).save(id, signature);
  return id;
}

std::string ImageFetcher::fetch_url(const std::string& url, const std::string& display,
                                    const std::string& signature_url,
                                    const std::string& expected_name,
                                    const LabelList& expected_labels,
                                    const std::optional<std::string>& signature_file) {
  std::optional<CachedRemote> cached;
  auto rec = store_.get_remote(url);
  if (rec)
    cached = CachedRemote{rec->etag, rec->max_age, rec->download_time,
                          store_.find_id(rec->image_id).has_value()};
  // A name's own policy was applied before discovery; its URL is then always checked.
  PullPolicy policy = expected_name.empty() ? settings_.pull_policy : PullPolicy::update;
  switch (decide_for_url(policy, cached, unix_now())) {
    case PullAction::use_store:
      log_.debug("using " + rec->image_id + " fetched before from " + url);
      return rec->image_id;
    case PullAction::use_cache:
      log_.debug("using " + rec->image_id + " from " + url + ": its max-age has not run out");
      return rec->image_id;
    case PullAction::fail_missing:
      throw Error("the image of " + url + " is not in the store and --pull-policy=never", 0,
                  "fetch it first, or use --pull-policy=new");
    case PullAction::fetch_conditional:
    case PullAction::fetch:
      break;
  }
  std::string etag = cached && cached->image_stored ? std::string(cached->etag) : std::string();
  std::optional<std::string> signature;
  auto fetch_signature = [&] {
    if (settings_.insecure_image) {
      log_.warn(kInsecureWarning);
      return;
    }
    if (signature_file) {
      signature = with_context("reading the signature given by --signature",
                               [&] { return read_file(*signature_file); });
      return;
    }
    try {
      signature = http().get_text(signature_url, "signature", 1 << 20);
    } catch (const HttpStatusError& e) {
      if (!e.not_found()) throw;
      // Say which is missing: a mistyped image URL should not read as a missing signature.
      (void)http().head(url, "image");  // throws "not found" for the image itself
      throw Error("no signature for image " + display + " at " + signature_url, ENOENT,
                  "the publisher must provide IMAGE.aci.asc; to skip verification (unsafe) "
                  "pass --insecure-options=image");
    }
  };
  // A missing signature should fail before a large download, not after it; only a
  // conditional request, which will most often be answered 304, asks for it afterwards.
  if (etag.empty()) fetch_signature();
  UniqueFd fd = anonymous_file(store_.cas_dir());
  Stopwatch clock;
  HttpResult got = http().download(url, fd.get(), "image", etag);
  log_.debug("downloaded " + human_size(got.bytes) + " from " + url + " in " + clock.lap());
  if (got.not_modified()) {
    log_.debug(url + " is unchanged (ETag " + etag + "): using " + rec->image_id);
    store_.set_remote(store::RemoteRecord{url, rec->image_id, rec->etag,
                                          got.max_age, unix_now()});
    return rec->image_id;
  }
  if (!etag.empty()) fetch_signature();
  ManifestSummary m = peek_manifest(fd.get(), display);
  if (!expected_name.empty()) check_manifest_matches(m, display, expected_name, expected_labels);
  if (signature) {
    verify(fd.get(), *signature, display, m.name);
    log_.debug("signature checked in " + clock.lap());
  }
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) throw_errno("seeking in the download of " + display);
  std::string id = store_.import(fd.get(), url);
  log_.debug("imported in " + clock.lap());
  if (signature) {
    check_imported_name(store_, id, m.name, display);
    SignatureStore(store_.cas_dir()).save(id, *signature);
  }
  store_.set_remote(store::RemoteRecord{url, id, got.etag, got.max_age, unix_now()});
  return id;
}

void ImageFetcher::auto_trust(const std::string& name, const std::vector<std::string>& urls) {
  std::optional<HttpClient> insecure;  // for --insecure-options=pubkey: http, any certificate
  if (settings_.insecure_pubkey) {
    HttpSettings hs = make_http_settings(settings_);
    hs.allow_http = true;
    hs.skip_tls_verify = true;
    insecure.emplace(std::move(hs), log_);
  }
  for (const auto& url : urls) {
    if (!starts_with(url, "https://") && !insecure) {
      log_.warn("not trusting keys from " + url +
                " automatically: only https is trusted (see --insecure-options=pubkey)");
      continue;
    }
    HttpClient& client = insecure ? *insecure : http();
    std::string data = client.get_text(url, "the public keys of " + name, 1 << 20);
    for (const auto& key : aci::read_public_keys(data, url)) {
      std::string path = trust_.add(name, key.fingerprint, key.armored);
      log_.warn("trusting key " + key.fingerprint + " for prefix \"" + name + "\" from " + url +
                " without review (--trust-keys-from-https); stored as " + path);
    }
  }
}

std::string ImageFetcher::fetch_name(const std::string& text,
                                     const std::optional<std::string>& signature_file) {
  aci::ImageReference ref = aci::parse_image_reference(text);
  std::string display = aci::format_image_reference(ref);
  auto stored = store_.find(ref.name, ref.labels);
  switch (decide_for_name(settings_.pull_policy, stored.has_value())) {
    case PullAction::use_store:
      log_.debug("using " + stored->id + " from the store for " + display);
      return stored->id;
    case PullAction::fail_missing:
      throw Error("image " + display + " is not in the store and --pull-policy=never", 0,
                  "fetch it first, or use --pull-policy=new");
    default:
      break;
  }
  LabelList asked;
  for (const auto& l : ref.labels) asked.emplace_back(l.name, l.value);
  // Discovery fills os and arch in from the host when not asked for, as rkt does.
  LabelList with_defaults = asked;
  auto has = [&](const char* k) {
    for (const auto& [n, v] : with_defaults)
      if (n == k) return true;
    return false;
  };
  if (!has("os")) with_defaults.emplace_back("os", "linux");
  if (!has("arch")) with_defaults.emplace_back("arch", "amd64");
  Discovered d = with_context("discovering " + display, [&] {
    return discover(http(), log_, ref.name, with_defaults, DiscoveryGoal::image,
                    settings_.insecure_http);
  });
  if (!settings_.insecure_image && settings_.trust_keys_from_https &&
      trust_.keys_for(ref.name).empty() && !d.pubkeys.empty())
    auto_trust(ref.name, d.pubkeys);
  // Only the labels asked for must match: os and arch were filled in for the templates.
  return fetch_url(d.aci_url, display, d.signature_url, ref.name, asked, signature_file);
}

}  // namespace pod::fetch
