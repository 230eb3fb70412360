#include "stage0/pods/gc.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/strings.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/resolve.hpp"
#include "stage0/pods/stage1_exec.hpp"

namespace pod::pods {

namespace {

int64_t mtime_ns_of_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) return 0;
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

int64_t mtime_ns_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return 0;
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::vector<std::string> mounts_below_pods(const std::string& data_dir) {
  std::vector<std::string> out;
  auto root = pods_root(data_dir);
  for (const auto& mp : mounts_under(read_mountinfo(), root)) out.push_back(mp);
  return out;  // deepest first, as mounts_under orders them
}

}  // namespace

void discard_pod(Pod& pod, const Logger& log, const std::vector<std::string>* mount_points) {
  with_context("removing pod " + pod.uuid(), [&] {
    bool ran = path_exists(pod.file(pod_file::kPid)) || pod.dir_state() == DirState::run ||
               pod.dir_state() == DirState::exited_garbage;
    if (ran && path_exists(pod.file(pod_file::kStage1TreeStoreId))) {
      try {
        Stage1Image s1 = load_stage1(pod);
        if (!s1.entrypoint(kEntrypointGc).empty()) {
          std::vector<std::string> args;
          if (log.debug_enabled()) args.push_back("--debug");
          args.push_back(pod.uuid());
          int rc = run_entrypoint(pod, s1, kEntrypointGc, args, log);
          if (rc != 0) log.warn("stage1 gc of pod " + pod.uuid() + " exited " + std::to_string(rc));
        }
      } catch (const Error& e) {
        // The directory goes anyway: a stage1 that cannot clean up must not pin the pod forever.
        log.warn("stage1 gc of pod " + pod.uuid() + ": " + e.what());
      }
    }
    if (mount_points) {
      std::string prefix = pod.path() + "/";
      for (const auto& mp : *mount_points) {
        if (!starts_with(mp + "/", prefix)) continue;
        if (::umount2(mp.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
          log.warn("unmounting " + mp + ": " + std::strerror(errno));
      }
      pod.destroy(false);
    } else {
      pod.destroy(true);
    }
  });
}

GcReport gc_pods(const std::string& data_dir, const GcOptions& opts, const Logger& log) {
  GcReport report;
  ensure_pod_dirs(data_dir);
  int64_t now = now_ns();
  auto fail = [&](const std::string& uuid, const Error& e) {
    report.failed.push_back(uuid + ": " + e.what());
    log.warn(std::string("gc: pod ") + uuid + ": " + e.what());
  };

  // Marking.
  for (const auto& loc : list_pods(data_dir)) {
    DirState to;
    if (loc.dir == DirState::run) to = DirState::exited_garbage;
    else if (loc.dir == DirState::prepare || loc.dir == DirState::embryo) to = DirState::garbage;
    else if (loc.dir == DirState::prepared) to = DirState::garbage;
    else continue;
    try {
      if (loc.dir == DirState::prepared) {
        int64_t created = mtime_ns_of(pod_dir(data_dir, loc.dir, loc.uuid) + "/" + pod_file::kManifest);
        if (now - created < std::chrono::nanoseconds(opts.expire_prepared).count()) continue;
      }
      Pod pod = Pod::open(data_dir, loc.uuid);
      if (!pod.lock_exclusive(false)) continue;  // running or being prepared: not ours
      if (pod.dir_state() != loc.dir) continue;  // somebody moved it meanwhile
      pod.move_to(to);
      report.marked.push_back(loc.uuid);
      log.info("Moving pod \"" + loc.uuid + "\" to garbage");
    } catch (const Error& e) {
      if (e.errnum() != ENOENT) fail(loc.uuid, e);
    }
  }
  if (opts.mark_only) return report;

  // Sweeping: one read of the mount table for every pod.
  std::vector<std::string> mounts = mounts_below_pods(data_dir);
  now = now_ns();  // after marking, so --grace-period=0 sweeps what was just marked
  const int64_t grace_ns = std::chrono::nanoseconds(opts.grace_period).count();
  for (DirState s : {DirState::exited_garbage, DirState::garbage}) {
    for (const auto& loc : list_pods(data_dir)) {
      if (loc.dir != s) continue;
      try {
        Pod pod = Pod::open(data_dir, loc.uuid);
        if (s == DirState::exited_garbage && now - mtime_ns_of_fd(pod.dir_fd()) < grace_ns) {
          log.debug("pod " + loc.uuid + " stays until its grace period has passed");
          continue;
        }
        if (!pod.lock_exclusive(false)) continue;  // another gc or rm is at it
        if (pod.dir_state() != s) continue;
        discard_pod(pod, log, &mounts);
        report.removed.push_back(loc.uuid);
        log.info("Garbage collecting pod \"" + loc.uuid + "\"");
      } catch (const Error& e) {
        if (e.errnum() != ENOENT) fail(loc.uuid, e);
      }
    }
  }
  return report;
}

}  // namespace pod::pods
