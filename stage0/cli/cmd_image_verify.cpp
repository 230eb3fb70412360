#include <fcntl.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "aci/archive.hpp"
#include "aci/signature.hpp"
#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/fetch/image_source.hpp"
#include "stage0/fetch/manifest_peek.hpp"
#include "stage0/fetch/signature_store.hpp"
#include "stage0/fetch/trust_store.hpp"
#include "stage0/store/store.hpp"

namespace pod::cli {

namespace {

struct Verdict {
  std::string subject;  // what the line is about
  std::string detail;   // "ok: ..." or the failure
  bool ok = false;
  std::string id, name, file;  // for --format=json, where known
};

// Checks a signature over fd for `name`'s prefix; returns a description of the signer.
std::string check_signature(int fd, const std::string& signature, const std::string& subject,
                            const std::string& name, const fetch::TrustStore& trust) {
  auto signer =
      aci::verify_detached_signature(fd, signature, trust.keys_for(name), subject, name);
  return "signed by " + signer.fingerprint + (signer.uid.empty() ? "" : " (" + signer.uid + ")");
}

Verdict verify_stored(store::Store& st, const store::ImageRecord& rec,
                      const fetch::TrustStore& trust, bool skip_signature) {
  Verdict v;
  v.subject = rec.id + " " + rec.name;
  v.id = rec.id;
  v.name = rec.name;
  try {
    if (st.find_oci(rec.id)) {
      // Its simple-signing signature was checked when it was fetched (pod fetch says by
      // which key); here the store's copy is re-checked.
      v.detail = st.check_oci(rec.id);
      v.ok = true;
      return v;
    }
    std::string blob = st.blob_path(rec.id);
    aci::AciInfo info = with_context("re-hashing " + blob, [&] { return aci::read_aci_file(blob); });
    if (info.image_id != rec.id)
      throw Error("the blob " + blob + " hashes to " + info.image_id + ", not to its ID", 0,
                  "the store is corrupted: remove the image (pod image rm) and fetch it again");
    std::string what = "hash ok";
    if (skip_signature) {
      v.detail = what + ", signature not checked (--insecure-options=image)";
    } else {
      auto sig = fetch::SignatureStore(st.cas_dir()).load(rec.id);
      if (!sig)
        throw Error("no signature was kept for it (fetched with --insecure-options=image?)");
      UniqueFd fd = open_fd(blob, O_RDONLY);
      v.detail = what + ", " + check_signature(fd.get(), *sig, rec.id, rec.name, trust);
    }
    v.ok = true;
  } catch (const Error& e) {
    v.detail = e.what();
  }
  return v;
}

Verdict verify_file(const std::string& path, const fetch::TrustStore& trust, bool skip_signature) {
  Verdict v;
  v.subject = path;
  v.file = path;
  try {
    UniqueFd fd = open_fd(path, O_RDONLY);
    aci::AciInfo info = aci::read_aci(fd.get(), path);
    std::string what = info.image_id + " " + info.manifest.name;
    v.id = info.image_id;
    v.name = info.manifest.name;
    if (skip_signature) {
      v.detail = what + ", signature not checked (--insecure-options=image)";
    } else {
      std::string sig_path = path + ".asc";
      if (!path_exists(sig_path)) throw Error("no signature " + sig_path + " next to it", ENOENT);
      v.detail = what + ", " +
                 check_signature(fd.get(), read_file(sig_path), path, info.manifest.name, trust);
    }
    v.ok = true;
  } catch (const Error& e) {
    v.detail = e.what();
  }
  return v;
}

}  // namespace

Command image_verify_command() {
  Command c;
  c.name = "image verify";
  c.summary = "Verify images: their hashes and their signatures";
  c.usage = "pod image verify [--format=json] [IMAGE|FILE...]";
  c.description =
      "For stored images (by ID, ID prefix or name; every stored image when none is given) "
      "re-hashes the blob against the image ID and checks the signature kept at fetch time "
      "against the keys trusted now. For ACI files, checks FILE.asc. Prints one line per "
      "image; exits 0 only when every image verifies.";
  c.run = [c](Invocation& inv) {
    ArgParser p(c);
    // The first image is a positional string, the others arrive unmatched: a cxxopts
    // vector would split "example.com/app,version=1.0" at its commas.
    p.add()("image", "", cxxopts::value<std::string>())
        ("format", "output format: text or json",
         cxxopts::value<std::string>()->default_value("text"));
    p.positional({"image"}, "[IMAGE|FILE...]");
    auto res = p.parse(inv.args, inv.global);
    std::string fmt = res["format"].as<std::string>();
    if (fmt != "text" && fmt != "json")
      throw UsageError("unknown --format \"" + fmt + "\"", 0, "use text or json");
    std::vector<std::string> images;
    if (res.count("image")) images.push_back(res["image"].as<std::string>());
    images.insert(images.end(), res.unmatched().begin(), res.unmatched().end());
    bool skip_signature = inv.global.is_insecure("image");
    Logger log = inv.global.logger();
    fetch::TrustStore trust(inv.global.local_config, inv.global.system_config);
    std::optional<store::Store> st;
    auto the_store = [&]() -> store::Store& {
      if (!st) st.emplace(store::Store::open(inv.global.dir, log));
      return *st;
    };
    std::vector<Verdict> verdicts;
    if (images.empty()) {
      for (const auto& rec : the_store().list())
        verdicts.push_back(verify_stored(the_store(), rec, trust, skip_signature));
    } else {
      for (const auto& arg : images) {
        fetch::ImageSource src = fetch::classify_image(arg);
        if (src.kind == fetch::SourceKind::file) {
          verdicts.push_back(verify_file(src.value, trust, skip_signature));
        } else if (src.kind == fetch::SourceKind::url) {
          throw UsageError("pod image verify checks stored images and local files, not URLs", 0,
                           "fetch the URL first, then verify its image ID");
        } else {
          store::ImageRecord rec;
          try {
            rec = the_store().resolve(arg);
          } catch (const Error& e) {
            verdicts.push_back({arg, e.what(), false, "", "", ""});
            continue;
          }
          verdicts.push_back(verify_stored(the_store(), rec, trust, skip_signature));
        }
      }
    }
    int failed = 0;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : verdicts) {
      if (fmt == "json")
        out.push_back({{"image", v.subject}, {"id", v.id}, {"name", v.name}, {"file", v.file},
                       {"ok", v.ok}, {"detail", v.detail}});
      else if (v.ok)
        std::printf("%s: ok: %s\n", v.subject.c_str(), v.detail.c_str());
      else
        std::printf("%s: FAILED: %s\n", v.subject.c_str(), v.detail.c_str());
      failed += v.ok ? 0 : 1;
    }
    if (fmt == "json") std::printf("%s\n", out.dump(2).c_str());
    std::fflush(stdout);  // the lines first, then the summary, on a terminal too
    if (failed > 0)
      std::fprintf(stderr, "pod: %d of %zu images failed verification\n", failed, verdicts.size());
    return failed == 0 ? 0 : kExitFailure;
  };
  return c;
}

}  // namespace pod::cli
