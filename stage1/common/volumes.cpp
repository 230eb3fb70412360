#include "stage1/common/volumes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string_view>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"
#include "stage1/common/in_root.hpp"
#include "stage1/common/mounting.hpp"

namespace pod::stage1 {
namespace {

std::string normalized(const std::string& path) { return "/" + join(path_components(path), "/"); }

bool nested(const std::string& outer, const std::string& inner) {
  return outer == "/" || starts_with(inner, outer + "/");
}

const aci::MountPoint* mount_point_named(const aci::App& app, const std::string& name) {
  for (const auto& mp : app.mount_points) {
    if (mp.name == name) return &mp;
  }
  return nullptr;
}

UniqueFd open_host_source(const aci::Volume& v) {
  if (v.source.empty() || v.source[0] != '/') {
    Error err("host volume " + v.name + ": source \"" + v.source + "\" is not an absolute path");
    err.set_hint("give the volume's source as an absolute path on the host");
    throw err;
  }
  struct open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS;
  long fd = syscall(SYS_openat2, AT_FDCWD, v.source.c_str(), &how, sizeof(how));
  if (fd < 0) {
    int e = errno;
    Error err("host volume " + v.name + ": opening source " + v.source, e);
    if (e == ELOOP) err.set_hint("a volume source must not be, or pass through, a symbolic link; give the real path");
    else if (e == ENOENT) err.set_hint("create " + v.source + " on the host first; pod does not create volume sources");
    throw err;
  }
  return UniqueFd(static_cast<int>(fd));
}

mode_t parse_mode(const aci::Volume& v) {
  if (v.mode.empty()) return 0755;
  try {
    size_t used = 0;
    unsigned long mode = std::stoul(v.mode, &used, 8);
    if (used == v.mode.size() && mode <= 07777) return static_cast<mode_t>(mode);
  } catch (const std::exception&) {
    // reported below
  }
  throw Error("empty volume " + v.name + ": mode \"" + v.mode + "\" is not an octal mode");
}

UniqueFd open_empty_source(const aci::Volume& v, const std::string& dir) {
  std::string path = path_join(dir, v.name);
  if (!is_directory(path)) {
    make_dirs(dir, 0755);
    if (mkdir(path.c_str(), parse_mode(v)) != 0 && errno != EEXIST)
      throw_errno("empty volume " + v.name + ": creating " + path);
    // mkdir's mode is filtered by the umask; the volume's mode is exact.
    check_sys(chmod(path.c_str(), parse_mode(v)), "empty volume " + v.name + ": chmod " + path);
    check_sys(chown(path.c_str(), static_cast<uid_t>(v.uid), static_cast<gid_t>(v.gid)),
              "empty volume " + v.name + ": chown " + path);
  }
  return open_fd(path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
}

struct DirCloser {
  void operator()(DIR* d) const noexcept { (void)closedir(d); }  // read-only: nothing to flush
};

// Whether the directory (an O_PATH fd) has any entry: a volume mounted there masks it.
bool has_entries(int dir_fd) {
  UniqueFd fd(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return false;
  std::unique_ptr<DIR, DirCloser> dir(fdopendir(fd.get()));
  if (!dir) return false;
  (void)fd.release();  // the DIR owns it now
  while (dirent* e = readdir(dir.get())) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") return true;
  }
  return false;
}

}  // namespace

std::vector<VolumeMount> plan_volume_mounts(const aci::PodManifest& pod, const aci::RuntimeApp& runtime,
                                            const aci::App& app, const std::string& app_name) {
  std::vector<VolumeMount> plan;
  auto covered = [&](const std::string& name, const std::string& path) {
    for (const auto& m : plan) {
      if (m.volume.name == name || m.target == path) return true;
    }
    return false;
  };

  for (const auto& m : runtime.mounts) {
    std::string target = m.path;
    const aci::MountPoint* mp = nullptr;
    if (target.empty() || target[0] != '/') {
      // Older pod manifests name the mount point instead of giving a path.
      mp = mount_point_named(app, target.empty() ? m.volume : target);
      if (!mp) {
        throw Error("app " + app_name + ": mount of volume " + m.volume + " at \"" + m.path +
                    "\": the app has no mount point of that name");
      }
      target = mp->path;
    } else {
      for (const auto& p : app.mount_points) {
        if (normalized(p.path) == normalized(target)) mp = &p;
      }
    }
    VolumeMount vm;
    if (m.app_volume) {
      vm.volume = aci::Volume::from_json(*m.app_volume, "apps[" + app_name + "].mounts.appVolume");
    } else if (const aci::Volume* v = pod.find_volume(m.volume)) {
      vm.volume = *v;
    } else {
      Error err("app " + app_name + ": mount at " + target + " names volume " + m.volume +
                ", which the pod manifest does not have");
      err.set_hint("add --volume " + m.volume + ",kind=host,source=PATH (or kind=empty)");
      throw err;
    }
    vm.target = normalized(target);
    vm.read_only = vm.volume.read_only.value_or(false) || (mp && mp->read_only);
    vm.recursive = vm.volume.recursive.value_or(true);
    plan.push_back(std::move(vm));
  }

  for (const auto& mp : app.mount_points) {
    if (covered(mp.name, normalized(mp.path))) continue;
    const aci::Volume* v = pod.find_volume(mp.name);
    if (!v) {
      Error err("app " + app_name + ": mount point " + mp.name + " (" + mp.path +
                ") has no volume named " + mp.name + " in the pod manifest");
      err.set_hint("add --volume " + mp.name + ",kind=host,source=PATH (or kind=empty) to the command");
      throw err;
    }
    VolumeMount vm;
    vm.volume = *v;
    vm.target = normalized(mp.path);
    vm.read_only = v->read_only.value_or(false) || mp.read_only;
    vm.recursive = v->recursive.value_or(true);
    plan.push_back(std::move(vm));
  }

  for (size_t i = 0; i < plan.size(); ++i) {
    for (size_t j = 0; j < plan.size(); ++j) {
      if (i == j) continue;
      if (plan[i].target == plan[j].target || nested(plan[i].target, plan[j].target)) {
        throw Error("app " + app_name + ": volumes " + plan[i].volume.name + " (" + plan[i].target +
                    ") and " + plan[j].volume.name + " (" + plan[j].target + ") overlap");
      }
    }
  }
  return plan;
}

void mount_volumes(int rootfd, const std::vector<VolumeMount>& mounts,
                   const std::string& empty_volumes_dir, const Logger& log) {
  for (const auto& m : mounts) {
    with_context("mounting volume " + m.volume.name + " at " + m.target, [&] {
      UniqueFd source;
      if (m.volume.kind == "host") {
        source = open_host_source(m.volume);
      } else if (m.volume.kind == "empty") {
        source = open_empty_source(m.volume, empty_volumes_dir);
      } else {
        throw Error("unknown volume kind \"" + m.volume.kind + "\" (known: host, empty)");
      }
      struct stat st{};
      check_sys(fstat(source.get(), &st), "stat of the volume's source");
      UniqueFd target = S_ISDIR(st.st_mode) ? make_dir_in_root(rootfd, m.target)
                                            : make_file_in_root(rootfd, m.target);
      // The spec asks that the user hear about files a volume hides.
      if (S_ISDIR(st.st_mode) && has_entries(target.get()))
        log.warn("volume " + m.volume.name + " hides the files the image has at " + m.target);
      bind_mount(source.get(), target.get(), BindOptions{m.recursive, m.read_only},
                 std::string("bind mount") + (m.read_only ? " (read-only)" : ""));
      log.debug("volume " + m.volume.name + " (" + m.volume.kind + ") mounted at " + m.target +
                (m.read_only ? " read-only" : ""));
    });
  }
}

}  // namespace pod::stage1
