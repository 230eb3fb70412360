#include "stage0/pods/pod.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/mount.hpp"
#include "common/uuid.hpp"

namespace pod::pods {

std::string_view state_name(PodState s) {
  switch (s) {
    case PodState::embryo: return "embryo";
    case PodState::preparing: return "preparing";
    case PodState::aborted_prepare: return "aborted prepare";
    case PodState::prepared: return "prepared";
    case PodState::running: return "running";
    case PodState::exited: return "exited";
    case PodState::exited_garbage: return "exited garbage";
    case PodState::garbage: return "garbage";
    case PodState::deleting: return "deleting";
  }
  return "unknown";
}

PodState observed_state(DirState dir, bool locked) {
  switch (dir) {
    case DirState::embryo: return PodState::embryo;
    case DirState::prepare: return locked ? PodState::preparing : PodState::aborted_prepare;
    case DirState::prepared: return PodState::prepared;
    case DirState::run: return locked ? PodState::running : PodState::exited;
    case DirState::exited_garbage: return locked ? PodState::deleting : PodState::exited_garbage;
    case DirState::garbage: return locked ? PodState::deleting : PodState::garbage;
  }
  return PodState::garbage;
}

namespace {

// flock(2) retrying on EINTR; false when non-blocking and somebody else holds it.
bool flock_fd(int fd, int op, const std::string& what) {
  for (;;) {
    if (::flock(fd, op) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && (op & LOCK_NB)) return false;
    throw_errno("locking pod " + what);
  }
}

}  // namespace

Pod Pod::create(const std::string& data_dir) {
  ensure_pod_dirs(data_dir);
  for (int attempt = 0;; ++attempt) {
    std::string uuid = new_uuid();
    std::string embryo = pod_dir(data_dir, DirState::embryo, uuid);
    if (::mkdir(embryo.c_str(), 0750) < 0) {
      if (errno == EEXIST && attempt < 3) continue;  // a UUID collision: draw another
      throw_errno("creating pod directory " + embryo);
    }
    Pod p(data_dir, uuid, DirState::embryo, open_dir(embryo));
    (void)flock_fd(p.fd_.get(), LOCK_EX, uuid);  // new and unknown to others: cannot block
    p.locked_ = true;
    p.move_to(DirState::prepare);
    return p;
  }
}

Pod Pod::open(const std::string& data_dir, const std::string& uuid) {
  for (DirState s : kAllDirStates) {
    std::string path = pod_dir(data_dir, s, uuid);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return Pod(data_dir, uuid, s, UniqueFd(fd));
    if (errno != ENOENT) throw_errno("opening pod directory " + path);
  }
  // It may have moved between two state directories while we looked: one more round.
  for (DirState s : kAllDirStates) {
    std::string path = pod_dir(data_dir, s, uuid);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return Pod(data_dir, uuid, s, UniqueFd(fd));
  }
  Error e("no pod " + uuid, ENOENT);
  e.set_hint("'pod list' shows the pods there are");
  throw e;
}

std::string Pod::file(std::string_view name) const { return path_join(path(), name); }

PodState Pod::state() const {
  if (locked_) return observed_state(dir_, true);
  // A shared probe: it fails only while somebody holds the exclusive lock.
  bool free = flock_fd(fd_.get(), LOCK_SH | LOCK_NB, uuid_);
  if (free) (void)::flock(fd_.get(), LOCK_UN);  // only probing; nothing to undo on failure
  return observed_state(dir_, !free);
}

bool Pod::lock_exclusive(bool wait) {
  if (locked_) return true;
  if (!flock_fd(fd_.get(), LOCK_EX | (wait ? 0 : LOCK_NB), uuid_)) return false;
  locked_ = true;
  refind();
  return true;
}

bool Pod::lock_exclusive_unless_in_use() {
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (lock_exclusive(false)) return true;
    ::usleep(10'000);
  }
  return false;
}

void Pod::wait_unlocked() const {
  if (locked_) return;
  (void)flock_fd(fd_.get(), LOCK_SH, uuid_);
  (void)::flock(fd_.get(), LOCK_UN);  // we only waited for the holder to let go
}

void Pod::unlock() {
  if (!locked_) return;
  (void)::flock(fd_.get(), LOCK_UN);  // closing the fd releases it anyway
  locked_ = false;
}

void Pod::refind() {
  struct stat mine {};
  check_sys(::fstat(fd_.get(), &mine), "inspecting pod " + uuid_);
  for (DirState s : kAllDirStates) {
    struct stat st {};
    if (::stat(pod_dir(data_dir_, s, uuid_).c_str(), &st) == 0 && st.st_ino == mine.st_ino &&
        st.st_dev == mine.st_dev) {
      dir_ = s;
      return;
    }
  }
  throw Error("pod " + uuid_ + " was removed while waiting for its lock", ENOENT);
}

void Pod::move_to(DirState to) {
  if (!locked_) throw Error("moving pod " + uuid_ + " without holding its lock (a bug)");
  if (to == dir_) return;
  std::string from_path = path();
  std::string to_path = pod_dir(data_dir_, to, uuid_);
  if (::rename(from_path.c_str(), to_path.c_str()) < 0)
    throw_errno("moving pod " + uuid_ + " from " + std::string(dir_state_name(dir_)) + " to " +
                std::string(dir_state_name(to)));
  dir_ = to;
  if (to == DirState::exited_garbage || to == DirState::garbage) {
    // gc's grace period counts from here: the directory's mtime records when it was marked.
    (void)::futimens(fd_.get(), nullptr);  // worst case the pod is collected a little early
  }
}

UniqueFd Pod::inheritable_lock_fd() const {
  // A dup shares the open file description, so the flock travels with it.
  int fd = ::fcntl(fd_.get(), F_DUPFD, 3);
  if (fd < 0) throw_errno("duplicating the lock fd of pod " + uuid_);
  return UniqueFd(fd);
}

void Pod::destroy(bool unmount_first) {
  if (!locked_) throw Error("removing pod " + uuid_ + " without holding its lock (a bug)");
  std::string p = path();
  with_context("removing pod " + uuid_, [&] {
    if (unmount_first) (void)unmount_tree(p);  // a count we do not need
    remove_tree(p);
  });
}

}  // namespace pod::pods
