// Reads pods from the data directory without writing anything and without taking or
// probing their locks (see proc_locks.hpp): what the service answers ListPods,
// InspectPod and ListenEvents from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aci/names.hpp"
#include "api-service/proc_locks.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/paths.hpp"
#include "stage0/pods/pod.hpp"

namespace pod::api {

struct PodEntry {
  std::string uuid;
  pods::DirState dir = pods::DirState::embryo;
  pods::PodState state = pods::PodState::embryo;
  FileKey key;  // of the pod directory
};

struct AppDetail {
  aci::Annotations annotations;  // from the pod manifest's app entry
};

struct PodRecord {
  PodEntry entry;
  pods::PodInfo info;            // apps, times, pid, networks (when past preparing)
  std::string manifest_text;     // the pod manifest as written
  aci::Annotations annotations;  // the manifest's annotations, then the user annotations
  std::vector<AppDetail> apps;   // parallel to info.apps
  std::string cgroup;            // of a running pod's stage1 process
  int64_t gc_marked_at = 0;      // ns: when it was moved to exited-garbage or garbage
};

// Whether a state's pod directory is complete: rkt shows only id and state before that,
// and so does pod while gc is deleting it.
[[nodiscard]] bool pod_is_complete(pods::PodState s);

// The cgroup of a process as /proc/<pid>/cgroup names it: the name=systemd hierarchy
// (what systemd and rkt call a unit's cgroup), else the unified one.
[[nodiscard]] std::string cgroup_from_proc(const std::string& proc_cgroup_text);

class PodReader {
 public:
  explicit PodReader(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  // Every pod and its state, each seen in one consistent place: a pod that moves while
  // we look is looked up again, one that disappears is left out.
  [[nodiscard]] std::vector<PodEntry> scan() const;
  // One pod by full UUID; nullopt when there is none.
  [[nodiscard]] std::optional<PodEntry> find(const std::string& uuid) const;
  // Everything about a pod; nullopt when it was removed meanwhile.
  [[nodiscard]] std::optional<PodRecord> read(const PodEntry& entry) const;
  // read() of many pods, looking at the locks once for all (pods removed meanwhile are
  // left out).
  [[nodiscard]] std::vector<PodRecord> read_all(const std::vector<PodEntry>& entries) const;

  [[nodiscard]] const std::string& data_dir() const noexcept { return data_dir_; }

 private:
  [[nodiscard]] bool still_there(const PodEntry& e) const;
  [[nodiscard]] bool unchanged(const PodEntry& e, const LockTable& locks) const;
  [[nodiscard]] PodRecord read_once(const PodEntry& entry) const;
  std::string data_dir_;
};

}  // namespace pod::api
