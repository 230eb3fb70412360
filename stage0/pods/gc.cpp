#include "stage0/pods/gc.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <unistd.h>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/process.hpp"
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

// Removing a pod is mostly waiting: on the file system deleting its inodes and on the
// stage1 gc entrypoint. With many pods, a few worker processes overlap those waits. Each
// worker takes every k-th pod; `all_ok` tells a worker's exit status. Returns one entry
// per worker that failed (the workers reported what failed themselves, on stderr).
std::vector<int> sweep_in_workers(size_t count, const std::function<void(size_t)>& one,
                                  const std::function<bool()>& all_ok) {
  constexpr size_t kMaxWorkers = 4;
  constexpr size_t kPodsPerWorker = 16;  // below this, a process costs more than it saves
  size_t workers = std::min(kMaxWorkers, count / kPodsPerWorker);
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) one(i);
    return {};
  }
  std::fflush(nullptr);
  std::vector<ChildProcess> children;
  for (size_t w = 0; w < workers; ++w) {
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("starting a gc worker");
    if (pid == 0) {
      int status = 0;
      try {
        for (size_t i = w; i < count; i += workers) one(i);
        status = all_ok() ? 0 : 1;
      } catch (...) {
        status = 1;
      }
      std::fflush(nullptr);
      ::_exit(status);
    }
    children.emplace_back(pid);
  }
  std::vector<int> failed;
  for (auto& c : children)
    if (int rc = exit_code_of(c.wait()); rc != 0) failed.push_back(rc);
  return failed;
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
      if (loc.dir == DirState::embryo) {
        // Pod::create locks a new pod just after mkdir: an unlocked embryo younger than this
        // may be one about to be locked, not one whose creator died.
        constexpr int64_t kEmbryoAgeNs = 60LL * 1'000'000'000;
        if (now - mtime_ns_of(pod_dir(data_dir, loc.dir, loc.uuid)) < kEmbryoAgeNs) continue;
      }
      if (loc.dir == DirState::prepared) {
        int64_t created = mtime_ns_of(pod_dir(data_dir, loc.dir, loc.uuid) + "/" + pod_file::kManifest);
        if (now - created < std::chrono::nanoseconds(opts.expire_prepared).count()) continue;
      }
      Pod pod = Pod::open(data_dir, loc.uuid);
      if (!pod.lock_exclusive(false)) continue;  // running or being prepared: not ours
      if (pod.dir_state() != loc.dir) continue;  // somebody moved it meanwhile
      pod.move_to(to);
      report.marked.push_back(loc.uuid);
      log.info("moving pod \"" + loc.uuid + "\" to garbage");  // rkt's words, on stderr
    } catch (const Error& e) {
      if (e.errnum() != ENOENT) fail(loc.uuid, e);
    }
  }
  if (opts.mark_only) return report;

  // Sweeping: one read of the mount table for every pod.
  std::vector<std::string> mounts = mounts_below_pods(data_dir);
  now = now_ns();  // after marking, so --grace-period=0 sweeps what was just marked
  const int64_t grace_ns = std::chrono::nanoseconds(opts.grace_period).count();
  std::vector<PodLocation> sweep;
  for (const auto& loc : list_pods(data_dir))
    if (loc.dir == DirState::exited_garbage || loc.dir == DirState::garbage) sweep.push_back(loc);

  auto sweep_one = [&](const PodLocation& loc) {
    try {
      Pod pod = Pod::open(data_dir, loc.uuid);
      if (loc.dir == DirState::exited_garbage && now - mtime_ns_of_fd(pod.dir_fd()) < grace_ns) {
        log.debug("pod " + loc.uuid + " stays until its grace period has passed");
        return;
      }
      if (!pod.lock_exclusive(false)) return;  // another gc or rm is at it
      if (pod.dir_state() != loc.dir) return;
      discard_pod(pod, log, &mounts);
      report.removed.push_back(loc.uuid);
      // rkt's line, on stdout (scripts collect the UUIDs from it); whole lines, as workers
      // write concurrently.
      std::printf("Garbage collecting pod \"%s\"\n", loc.uuid.c_str());
      std::fflush(stdout);
    } catch (const Error& e) {
      if (e.errnum() != ENOENT) fail(loc.uuid, e);
    }
  };
  auto failed_workers = sweep_in_workers(
      sweep.size(), [&](size_t i) { sweep_one(sweep[i]); }, [&] { return report.failed.empty(); });
  if (!failed_workers.empty())
    report.failed.push_back(std::to_string(failed_workers.size()) + " gc worker(s) reported failures");
  return report;
}

}  // namespace pod::pods
