// A pod on disk and its lifecycle (rkt's state machine, Documentation/devel/pod-lifecycle.md
// of rkt): the directory a pod is in and whether its lock is held say which state it is in.
//
//   embryo ──> prepare ──> prepared ──> run ──> exited-garbage ──> (removed)
//                 │  (locked: preparing)  (locked: running, free: exited)
//                 └──────────────> run         (pod run: straight on, lock kept)
//   prepare (free: aborted prepare), expired prepared ──> garbage ──> (removed)
//
// Every rename happens while the renamer holds the pod's exclusive lock, and after
// taking a lock the handle re-finds its directory, so two commands never race.
#pragma once

#include <string>
#include <string_view>

#include "common/fd.hpp"
#include "stage0/pods/paths.hpp"

namespace pod::pods {

enum class PodState {
  embryo,
  preparing,
  aborted_prepare,
  prepared,
  running,
  exited,
  exited_garbage,
  garbage,
  deleting,
};

// rkt's names: "embryo", "preparing", "aborted prepare", "prepared", "running", "exited",
// "exited garbage", "garbage", "deleting".
[[nodiscard]] std::string_view state_name(PodState s);
// The state a pod in `dir` is in given whether somebody holds its lock.
[[nodiscard]] PodState observed_state(DirState dir, bool locked);

class Pod {
 public:
  // Creates a new pod: a fresh UUID in embryo/, locked, then moved to prepare/.
  [[nodiscard]] static Pod create(const std::string& data_dir);
  // Opens an existing pod by full UUID, unlocked. Throws naming the UUID when absent.
  [[nodiscard]] static Pod open(const std::string& data_dir, const std::string& uuid);

  Pod(Pod&&) noexcept = default;
  Pod& operator=(Pod&&) noexcept = default;

  [[nodiscard]] const std::string& uuid() const noexcept { return uuid_; }
  [[nodiscard]] const std::string& data_dir() const noexcept { return data_dir_; }
  [[nodiscard]] DirState dir_state() const noexcept { return dir_; }
  [[nodiscard]] std::string path() const { return pod_dir(data_dir_, dir_, uuid_); }
  [[nodiscard]] std::string file(std::string_view name) const;
  [[nodiscard]] int dir_fd() const noexcept { return fd_.get(); }
  [[nodiscard]] bool holds_lock() const noexcept { return locked_; }

  // The state now: our own lock counts as held. Probes the lock (shared, non-blocking)
  // when we do not hold it.
  [[nodiscard]] PodState state() const;

  // Takes the exclusive lock (waiting, or not: returns false when somebody holds it),
  // then re-finds the directory, which another command may have renamed meanwhile.
  [[nodiscard]] bool lock_exclusive(bool wait);
  // Waits until nobody holds an exclusive lock (e.g. the pod stopped running).
  void wait_unlocked() const;
  // lock_exclusive(false), retried for a moment: `pod list` and `pod status` probe locks
  // (shared, for a few microseconds), and a command must not mistake a probe for a pod in
  // use. A pod that stays locked (running, preparing) still answers false within ~0.1 s.
  [[nodiscard]] bool lock_exclusive_unless_in_use();
  void unlock();

  // rename(2) to another state directory; requires our lock.
  void move_to(DirState to);
  // A dup of the locked directory fd without O_CLOEXEC, for stage1's RKT_LOCK_FD.
  [[nodiscard]] UniqueFd inheritable_lock_fd() const;
  // Removes the pod directory; requires our lock. `unmount_first` unmounts anything left
  // below it (gc passes false after unmounting from one read of the mount table).
  void destroy(bool unmount_first = true);

 private:
  Pod(std::string data_dir, std::string uuid, DirState dir, UniqueFd fd)
      : data_dir_(std::move(data_dir)), uuid_(std::move(uuid)), dir_(dir), fd_(std::move(fd)) {}
  void refind();

  std::string data_dir_;
  std::string uuid_;
  DirState dir_ = DirState::embryo;
  UniqueFd fd_;
  bool locked_ = false;
};

}  // namespace pod::pods
