// Wakes event streams when the data directory may have changed, with inotify: the pod
// state directories (pods arriving, leaving, being removed), the directories of pods
// that can be running (a close of the directory may be the lock being let go), and the
// image index (an import or removal writes it). It only counts changes; each stream
// looks for itself what changed (events.hpp).
#pragma once

#include <sys/inotify.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/fd.hpp"

namespace pod::api {

struct ChangeCounts {
  uint64_t pods = 0;
  uint64_t images = 0;
  bool operator==(const ChangeCounts&) const = default;
};

class Watcher {
 public:
  explicit Watcher(std::string data_dir);
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;
  ~Watcher();  // stops the thread

  [[nodiscard]] ChangeCounts counts() const;
  // Waits until the counts differ from `seen`, or `timeout` passes; returns the counts.
  [[nodiscard]] ChangeCounts wait(const ChangeCounts& seen, std::chrono::milliseconds timeout) const;

 private:
  void run();
  void add_watches();  // (re)adds what exists: directories may appear later
  void watch(const std::string& path, uint32_t mask, char kind);
  void handle(const inotify_event& ev);
  void bump(char kind);

  std::string data_dir_;
  UniqueFd inotify_;
  UniqueFd stop_;  // an eventfd the destructor writes to end run()
  std::map<int, std::pair<std::string, char>> watches_;  // wd -> (path, kind); thread-only
  // Pod directories closed in the current batch, and whether each was locked when last
  // looked at: only a change of that wakes the streams (readers open pod directories all
  // the time, `pod list` and the service's own ListPods among them). Thread-only.
  std::vector<int> closed_;
  std::map<int, bool> was_locked_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  ChangeCounts counts_;
  std::thread thread_;
};

}  // namespace pod::api
