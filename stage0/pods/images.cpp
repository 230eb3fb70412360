#include "stage0/pods/images.hpp"

#include "aci/names.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#if defined(POD_HAVE_FETCH)
#include "stage0/fetch/image_fetcher.hpp"
#endif

namespace pod::pods {

bool looks_like_path(const std::string& ref) {
  return starts_with(ref, "/") || starts_with(ref, "./") || starts_with(ref, "../") ||
         (ends_with(ref, ".aci") && path_exists(ref)) || starts_with(ref, "file://");
}

bool looks_like_url(const std::string& ref) {
  return ref.find("://") != std::string::npos && !starts_with(ref, "file://");
}

namespace {

std::string import_local(store::Store& store, std::string path, const Logger& log) {
  if (starts_with(path, "file://")) path = path.substr(7);
  if (!path_exists(path)) {
    Error e("image file " + path + " does not exist");
    e.set_hint("check the path of the ACI file");
    throw e;
  }
  // The store's import already names the file in its errors; no second "importing" here.
  return with_context("", [&] {
    std::string id = store.import_file(path);
    log.debug("image " + path + " is " + id);
    return id;
  });
}

#if defined(POD_HAVE_FETCH)
std::string fetch_image(store::Store& store, const std::string& ref, const ImageSourceOptions& opts,
                        const Logger& log) {
  fetch::FetchSettings s;
  s.local_config = opts.local_config;
  s.system_config = opts.system_config;
  s.user_config = opts.user_config;
  s.docker_config = opts.docker_config;
  s.insecure_image = opts.insecure_image;
  s.insecure_tls = opts.insecure_tls;
  s.insecure_http = opts.insecure_http;
  s.trust_keys_from_https = opts.trust_keys_from_https;
  s.pull_policy = fetch::parse_pull_policy(opts.pull_policy);
  fetch::ImageFetcher fetcher(store, s, log);
  return fetcher.fetch(ref);
}
#endif

[[noreturn, maybe_unused]] void cannot_fetch(const std::string& ref) {
  Error e("image " + ref + " is not in the store, and this build of pod cannot fetch it");
  e.set_hint("fetch it first with 'pod fetch " + ref + "', or give the path of the ACI file");
  throw e;
}

std::string fetch_or_fail(store::Store& store, const std::string& ref, const ImageSourceOptions& opts,
                          const Logger& log) {
#if defined(POD_HAVE_FETCH)
  return fetch_image(store, ref, opts, log);
#else
  (void)store, (void)opts, (void)log;  // nothing to fetch with
  cannot_fetch(ref);
#endif
}

}  // namespace

std::string resolve_image(store::Store& store, const std::string& ref,
                          const ImageSourceOptions& opts, const Logger& log) {
#if defined(POD_HAVE_FETCH)
  // The fetcher applies the pull policy, signatures, discovery, and the store lookup.
  return fetch_image(store, ref, opts, log);
#else
  if (looks_like_path(ref)) return import_local(store, ref, log);
  if (looks_like_url(ref)) cannot_fetch(ref);
  if (starts_with(ref, "sha512-")) return store.get(ref).id;
  try {
    return store.resolve(ref).id;
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    if (opts.pull_policy == "never") {
      Error out("image " + ref + " is not in the store (--pull-policy=never)", ENOENT);
      out.set_hint("fetch it with 'pod fetch " + ref + "'");
      throw out;
    }
    cannot_fetch(ref);
  }
#endif
}

namespace {

// rkt's rule for a stage1 image given as a file: one installed with pod (in the stage1
// images directory) is trusted by its location; any other is verified like any image
// (its .asc against the trust store, or --insecure-options=image).
std::string import_stage1_file(store::Store& store, std::string path,
                               const ImageSourceOptions& opts, const Logger& log) {
  if (starts_with(path, "file://")) path = path.substr(7);
  const std::string images_dir = stage1_images_dir(opts.system_config, opts.local_config);
  if (std::string dir = trusted_stage1_dir(path, images_dir); !dir.empty()) {
    log.debug("stage1 image " + path + " is trusted by its location (installed with pod in " +
              dir + "); its signature is not checked");
    return import_local(store, path, log);
  }
  if (!path_exists(path)) return import_local(store, path, log);  // names the missing file
  return with_context(
      "stage1 image " + path + " is outside the stage1 images directory " + images_dir +
          ", so it is verified like any image",
      [&] {
        ImageSourceOptions file_opts = opts;
        file_opts.pull_policy = "new";
        return fetch_or_fail(store, path, file_opts, log);
      });
}

}  // namespace

std::string resolve_stage1(store::Store& store, const Stage1Selection& sel,
                           const ImageSourceOptions& opts, const Logger& log) {
  using Kind = Stage1Selection::Kind;
  return with_context("selecting the stage1 image", [&]() -> std::string {
    switch (sel.kind) {
      case Kind::hash: return store.get(sel.value).id;
      case Kind::name: return resolve_image(store, sel.value, opts, log);
      case Kind::path: return import_stage1_file(store, sel.value, opts, log);
      case Kind::url:
        if (starts_with(sel.value, "file://")) return import_stage1_file(store, sel.value, opts, log);
        return fetch_or_fail(store, sel.value, opts, log);
      case Kind::from_dir:
        return import_stage1_file(
            store, path_join(stage1_images_dir(opts.system_config, opts.local_config), sel.value),
            opts, log);
      case Kind::none: break;
    }
    if (auto d = load_stage1_default(opts.system_config, opts.local_config)) {
      log.debug("default stage1 from " + d->source);
      if (!d->name.empty()) {
        aci::Labels labels;
        labels.set("version", d->version);
        if (auto rec = store.find(d->name, labels)) return rec->id;
      }
      if (d->location.empty() || looks_like_url(d->location)) {
        if (d->location.empty()) {
          Error e("stage1 " + d->name + ":" + d->version + " (configured in " + d->source +
                  ") is not in the store and has no location");
          e.set_hint("add \"location\" to " + d->source + " or fetch the image");
          throw e;
        }
        return fetch_or_fail(store, d->location, opts, log);
      }
      return import_stage1_file(store, d->location, opts, log);
    }
    std::string images_dir = stage1_images_dir(opts.system_config, opts.local_config);
    auto candidates = builtin_stage1_candidates(images_dir);
    for (const auto& c : candidates) {
      // import_file recognises a file imported before without reading it again.
      if (path_exists(c)) return import_local(store, c, log);
    }
    Error e("no stage1 image: none configured and none of " + join(candidates, ", ") + " exists",
            ENOENT);
    e.set_hint("build the stage1 images, or choose one with --stage1-path=FILE.aci");
    throw e;
  });
}

}  // namespace pod::pods
