#include "stage0/fetch/oci_fetcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/config.hpp"
#include "oci/digest.hpp"
#include "oci/manifest.hpp"
#include "stage0/fetch/oci_local_sources.hpp"
#include "stage0/fetch/oci_signature.hpp"
#include "stage0/fetch/registry_source.hpp"

namespace pod::fetch {

namespace {

// Registries serve layers best a few at a time; more only competes for the same link.
constexpr size_t kMaxParallelLayers = 3;

void check_blob(const std::string& data, const oci::Descriptor& d, const std::string& what) {
  std::string got = oci::sha256_digest(data);
  if (data.size() != d.size || got != d.digest)
    throw Error("refused: the " + what + " has " + std::to_string(data.size()) +
                    " bytes hashing to " + got + ", not the " + std::to_string(d.size) +
                    " bytes of " + d.digest + "; nothing was stored",
                0, "the source is damaged or was tampered with");
}

std::string basename_of(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.substr(path.find_last_of('/') + 1);
}

struct ImageNaming {
  std::string name;  // the store row's name
  std::string tag;
  std::string signed_name;  // HOST/NAME a signature must be checked for ("" = none known)
  std::string signed_reference;  // the docker-reference a signature must name
};

ImageNaming naming_of(const oci::Reference& ref, const OciSource& src) {
  ImageNaming n;
  auto from_docker = [&](const oci::DockerName& d) {
    n.name = d.name();
    n.tag = d.tag;
    n.signed_name = d.name();
    n.signed_reference = d.reference();
  };
  switch (ref.transport) {
    case oci::Transport::docker:
      from_docker(ref.docker);
      break;
    case oci::Transport::docker_archive:
      if (ref.has_name) from_docker(ref.docker);
      else if (!src.own_tag().empty()) from_docker(oci::parse_docker_name(src.own_tag()));
      else n.name = basename_of(ref.path);
      break;
    case oci::Transport::oci_layout:
      n.name = basename_of(ref.path);
      n.tag = ref.ref.empty() ? "latest" : ref.ref;
      break;
  }
  return n;
}

}  // namespace

OciFetcher::OciFetcher(store::Store& store, const FetchSettings& settings, const Logger& log)
    : store_(store), settings_(settings), log_(log) {}

std::string OciFetcher::fetch(const std::string& text) {
  oci::Reference ref = oci::parse_reference(text);
  std::unique_ptr<OciSource> src;
  if (ref.transport == oci::Transport::docker) {
    // By tag, the store answers per --pull-policy before the network is asked.
    if (ref.docker.digest.empty() && settings_.pull_policy != PullPolicy::update) {
      aci::Labels want;
      want.set("version", ref.docker.tag);
      if (auto rec = store_.find(ref.docker.name(), want)) {
        log_.debug("using " + rec->id + " from the store for " + text);
        return rec->id;
      }
    }
    if (settings_.pull_policy == PullPolicy::never)
      throw Error("image " + text + " is not in the store and --pull-policy=never", 0,
                  "fetch it first, or use --pull-policy=new");
    src = open_registry_source(ref.docker, settings_, log_, store_.cas_dir());
  } else if (ref.transport == oci::Transport::oci_layout) {
    src = open_layout_source(ref);
  } else {
    src = open_archive_source(ref, store_.cas_dir());
  }
  ImageNaming naming = naming_of(ref, *src);

  FetchedManifest top = src->top_manifest();
  std::string top_digest = oci::sha256_digest(top.text);
  if (ref.transport == oci::Transport::docker && !ref.docker.digest.empty() &&
      top_digest != ref.docker.digest)
    throw Error("refused: the registry's manifest for " + text + " hashes to " + top_digest +
                ", not the digest asked for");
  // The signature covers the manifest the reference names, checked before anything else
  // of the image is read.
  if (settings_.insecure_image) {
    log_.warn("signature verification is disabled by --insecure-options=image: the origin "
              "and integrity of " + text + " are not checked");
  } else {
    if (naming.signed_name.empty())
      throw Error("image " + text + " has no Docker name, so no signature can be looked up for it",
                  0, "name it (oci:DIR:REF is not a signed identity; push it to a registry and "
                     "sign it there), or skip verification with --insecure-options=image");
    OciSignatureCheck check = verify_oci_signature(settings_, log_, naming.signed_name,
                                                   naming.signed_reference, top_digest);
    log_.info("signature of " + naming.signed_reference + " (" + top_digest +
              ") verified: signed by " + check.fingerprint +
              (check.uid.empty() ? "" : " (" + check.uid + ")") + ", trusted for prefix \"" +
              check.prefix + "\"");
  }
  oci::ParsedManifest parsed = oci::parse_manifest(top.text, top.content_type, text);
  std::string manifest_text = top.text;
  std::string manifest_digest = top_digest;
  if (parsed.is_index) {
    oci::Descriptor d = oci::select_platform(parsed.index, oci::host_platform(), text);
    log_.debug("platform " + oci::host_platform().str() + ": manifest " + d.digest);
    FetchedManifest child = src->manifest(d);
    check_blob(child.text, d, "manifest for " + d.platform.str());
    parsed = oci::parse_manifest(child.text, child.content_type, text + " (" + d.platform.str() + ")");
    if (parsed.is_index) throw Error("the index of " + text + " names another index, not an image");
    manifest_text = child.text;
    manifest_digest = d.digest;
  }
  const oci::Manifest& m = parsed.manifest;
  std::string config_text = src->small_blob(m.config);
  check_blob(config_text, m.config, "image configuration");
  oci::ImageConfig config = oci::parse_config(config_text, text);
  if (config.diff_ids.size() != m.layers.size())
    throw Error("image " + text + ": its configuration lists " +
                std::to_string(config.diff_ids.size()) + " layers, its manifest " +
                std::to_string(m.layers.size()));
  for (const auto& l : m.layers) (void)oci::layer_compression(l);

  FileLock hold = store_.hold_layers();
  std::vector<store::OciLayerInput> layers;
  std::vector<size_t> missing;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    layers.push_back({m.layers[i].digest, m.layers[i].size, config.diff_ids[i]});
    if (store_.has_layer(config.diff_ids[i])) {
      log_.debug("layer " + std::to_string(i + 1) + "/" + std::to_string(m.layers.size()) +
                 " " + config.diff_ids[i] + " is already stored");
    } else if (std::find_if(missing.begin(), missing.end(), [&](size_t j) {
                 return config.diff_ids[j] == config.diff_ids[i];
               }) == missing.end()) {
      missing.push_back(i);
    }
  }
  // Layers come in a few at a time; each is read once (hash, decompress, extract).
  std::atomic<size_t> next{0};
  std::mutex failed_mu;
  std::mutex import_mu;
  std::exception_ptr failed;
  auto worker = [&] {
    for (;;) {
      size_t k = next.fetch_add(1);
      if (k >= missing.size()) return;
      size_t i = missing[k];
      try {
        {
          std::lock_guard<std::mutex> g(failed_mu);
          if (failed) return;
        }
        with_context("layer " + std::to_string(i + 1) + "/" + std::to_string(m.layers.size()), [&] {
          UniqueFd fd = src->blob(m.layers[i]);  // downloads run in parallel
          std::lock_guard<std::mutex> one_import(import_mu);  // the store stays single-threaded
          store_.import_layer(fd.get(), layers[i]);
        });
      } catch (...) {
        std::lock_guard<std::mutex> g(failed_mu);
        if (!failed) failed = std::current_exception();
      }
    }
  };
  size_t n_threads = std::min(kMaxParallelLayers, missing.size());
  if (n_threads <= 1 || ref.transport != oci::Transport::docker) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (size_t t = 0; t < n_threads; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  if (failed) std::rethrow_exception(failed);

  store::OciImageInput in;
  in.name = naming.name;
  in.tag = naming.tag;
  in.reference = text;
  in.manifest_digest = manifest_digest;
  in.manifest_text = manifest_text;
  in.config_text = config_text;
  in.layers = layers;
  std::string id = store_.add_oci_image(in);
  log_.debug("image " + text + " is " + id + " (" + std::to_string(missing.size()) + " of " +
             std::to_string(m.layers.size()) + " layers fetched)");
  return id;
}

}  // namespace pod::fetch
