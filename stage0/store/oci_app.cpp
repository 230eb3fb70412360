#include "stage0/store/oci_app.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "aci/names.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "oci/whiteout.hpp"

namespace pod::store {

namespace {

constexpr int kMaxSymlinks = 40;
const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

bool is_opaque(const std::string& dir) {
  char v[2] = {};
  return ::lgetxattr(dir.c_str(), oci::kOverlayOpaqueXattr, v, sizeof v) == 1 && v[0] == 'y';
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  for (auto& c : split(path, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty()) out.pop_back();  // ".." at the root stays at the root
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string appc_arch(const oci::ImageConfig& c) {
  if (c.architecture == "amd64") return "amd64";
  if (c.architecture == "arm64") return "aarch64";
  if (c.architecture == "386") return "i386";
  if (c.architecture == "arm") return c.variant == "v6" ? "armv6l" : "armv7l";
  if (c.architecture == "ppc64le" || c.architecture == "s390x" || c.architecture == "ppc64")
    return c.architecture;
  return {};
}

// A Docker label key made an AC identifier, or empty when nothing usable is left.
std::string annotation_name(const std::string& key) {
  std::string out;
  for (char ch : key) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool alnum = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (alnum) out += l;
    else if (!out.empty() && std::string("-._~/").find(out.back()) == std::string::npos)
      out += std::string("-._~/").find(l) != std::string::npos ? l : '-';
  }
  while (!out.empty() && std::string("-._~/").find(out.back()) != std::string::npos) out.pop_back();
  return aci::is_ac_identifier(out) ? out : std::string();
}

}  // namespace

std::optional<std::string> LayerUnion::find_plain(const std::string& rel) const {
  std::string parent = rel.substr(0, rel.find_last_of('/') == std::string::npos ? 0 : rel.find_last_of('/'));
  for (const auto& layer : layers_) {
    std::string p = layer + "/" + rel;
    struct stat st;
    if (::lstat(p.c_str(), &st) == 0) {
      if (is_whiteout(st)) return std::nullopt;
      return p;
    }
    // An opaque directory (at the parent or above) hides every layer below it.
    std::vector<std::string> parts = components(parent);
    std::string dir = layer;
    bool opaque = is_opaque(dir);
    for (const auto& c : parts) {
      dir += "/" + c;
      opaque = opaque || is_opaque(dir);
    }
    if (opaque) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<LayerUnion::Found> LayerUnion::walk(const std::string& path, bool follow_last) const {
  std::vector<std::string> todo = components(path);
  std::vector<std::string> done;
  int hops = 0;
  std::string host;
  size_t i = 0;
  while (i < todo.size()) {
    done.push_back(todo[i]);
    auto found = find_plain(join(done, "/"));
    if (!found) return std::nullopt;
    bool last = i + 1 == todo.size();
    struct stat st;
    if (::lstat(found->c_str(), &st) < 0) return std::nullopt;
    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (++hops > kMaxSymlinks) return std::nullopt;
      char buf[4096];
      ssize_t n = ::readlink(found->c_str(), buf, sizeof buf - 1);
      if (n < 0) return std::nullopt;
      std::string target(buf, static_cast<size_t>(n));
      done.pop_back();
      std::string base = target.front() == '/' ? std::string() : join(done, "/");
      std::vector<std::string> rest(todo.begin() + static_cast<long>(i) + 1, todo.end());
      todo = components(base + "/" + target);
      todo.insert(todo.end(), rest.begin(), rest.end());
      done.clear();
      i = 0;
      continue;
    }
    host = *found;
    ++i;
  }
  if (todo.empty())
    return layers_.empty() ? std::nullopt : std::optional(Found{layers_.back(), std::string()});
  return Found{host, join(done, "/")};
}

std::optional<std::string> LayerUnion::find(const std::string& path, bool follow_last) const {
  auto f = walk(path, follow_last);
  return f ? std::optional(f->host) : std::nullopt;
}

std::optional<std::string> LayerUnion::resolve(const std::string& path) const {
  auto f = walk(path, true);
  return f ? std::optional(f->rel) : std::nullopt;
}

std::string LayerUnion::read_or_empty(const std::string& path) const {
  auto p = find(path, true);
  if (!p || !path_exists(*p) || is_directory(*p)) return {};
  try {
    return read_file(*p);
  } catch (const Error&) {
    return {};
  }
}

aci::ImageManifest appc_manifest_for(const oci::ImageConfig& c, const OciAppInput& in,
                                     const LayerUnion& fs, const Logger& log) {
  aci::ImageManifest m;
  m.name = in.appc_name;
  if (!in.tag.empty()) m.labels.set("version", in.tag);
  m.labels.set("os", c.os.empty() ? "linux" : c.os);
  if (std::string arch = appc_arch(c); !arch.empty()) m.labels.set("arch", arch);
  m.annotations.set(kAnnoOciReference, in.reference);
  m.annotations.set(kAnnoOciConfigDigest, in.config_digest);
  if (!in.manifest_digest.empty()) m.annotations.set(kAnnoOciManifestDigest, in.manifest_digest);
  for (const auto& [k, v] : c.labels) {
    std::string name = annotation_name(k);
    if (!name.empty() && !m.annotations.get(name)) m.annotations.set(name, v);
  }

  aci::App app;
  std::vector<std::string> entry = c.entrypoint.value_or(std::vector<std::string>{});
  std::vector<std::string> cmd = c.cmd.value_or(std::vector<std::string>{});
  app.exec = entry;
  app.exec.insert(app.exec.end(), cmd.begin(), cmd.end());

  std::string path_var = kDefaultPath;
  for (const auto& e : c.env) {
    auto eq = e.find('=');
    std::string k = e.substr(0, eq);
    if (!aci::is_c_identifier(k)) {
      log.warn("image " + in.reference + ": leaving out environment variable \"" + k +
               "\", which is not a valid name");
      continue;
    }
    app.environment.set(k, e.substr(eq + 1));  // "EMPTY=" stays an empty variable
    if (k == "PATH") path_var = e.substr(eq + 1);
  }
  // appc wants an absolute program: a bare name is looked up in PATH, as the runtime would.
  if (!app.exec.empty() && app.exec[0].find('/') == std::string::npos) {
    std::string found;
    for (const auto& dir : split(path_var, ':')) {
      if (dir.empty() || dir[0] != '/') continue;
      std::string cand = path_join(dir, app.exec[0]);
      if (fs.find(cand, true)) {
        found = cand;
        break;
      }
    }
    if (found.empty())
      log.warn("image " + in.reference + ": \"" + app.exec[0] + "\" is not found in PATH (" +
               path_var + "); give the program with --exec");
    app.exec[0] = found;
  } else if (!app.exec.empty() && app.exec[0].front() != '/') {
    app.exec[0] = "/" + app.exec[0];  // "bin/app" is relative to "/" (the default workdir)
  }
  m.annotations.set(kAnnoOciEntrypointLength, std::to_string(entry.size()));

  // User: "name", "uid", "name:group" or "uid:gid"; stage2 resolves names against the
  // image's /etc/passwd and /etc/group. The group defaults to the user's primary group.
  std::string user = c.user.empty() ? "0" : c.user;
  std::string group;
  if (auto colon = user.find(':'); colon != std::string::npos) {
    group = user.substr(colon + 1);
    user = user.substr(0, colon);
  }
  // (Assigned as a new string: g++ 12 warns wrongly (-Wrestrict) about assigning "0" here.)
  if (user.empty()) user = std::string(1, '0');
  std::string user_name = user;
  for (const auto& line : split(fs.read_or_empty("/etc/passwd"), '\n')) {
    auto f = split(line, ':');
    if (f.size() < 4) continue;
    if (f[0] == user || f[2] == user) {
      if (group.empty()) group = f[3];
      user_name = f[0];
      break;
    }
  }
  // A numeric user absent from passwd: gid 0, as Docker does.
  if (group.empty()) group = std::string(1, '0');
  for (const auto& line : split(fs.read_or_empty("/etc/group"), '\n')) {
    auto f = split(line, ':');
    if (f.size() < 4 || f[3].empty()) continue;
    for (const auto& member : split(f[3], ','))
      if (member == user_name && !f[2].empty() && f[2].find_first_not_of("0123456789") == std::string::npos) {
        uint32_t gid = static_cast<uint32_t>(std::stoul(f[2]));
        if (std::to_string(gid) != group) app.supplementary_gids.push_back(gid);
      }
  }
  app.user = user;
  app.group = group;
  app.working_directory = c.working_dir;

  for (const auto& p : c.exposed_ports) {
    oci::PortSpec ps = oci::parse_port(p);
    aci::Port port;
    port.name = std::to_string(ps.port) + "-" + ps.protocol;
    port.protocol = ps.protocol;
    port.port = static_cast<uint16_t>(ps.port);
    app.ports.push_back(port);
  }
  for (const auto& v : c.volumes) {
    aci::MountPoint mp;
    std::string base = aci::sanitize_ac_name(v == "/" ? std::string("root") : v);
    mp.name = "volume-" + base;
    mp.path = v;
    app.mount_points.push_back(mp);
  }
  if (!c.stop_signal.empty()) m.annotations.set(kAnnoOciStopSignal, c.stop_signal);
  if (!app.exec.empty() && !app.exec[0].empty()) m.app = std::move(app);
  return m;
}

}  // namespace pod::store
