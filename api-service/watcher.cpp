#include "api-service/watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "api-service/proc_locks.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "stage0/pods/paths.hpp"

namespace pod::api {

namespace {

// Kinds of watched directories.
constexpr char kTop = 't';       // the data dir, pods/, cas/: watched for what appears in them
constexpr char kStateDir = 's';  // pods/<state>/
constexpr char kPodDir = 'p';    // pods/{prepare,run}/<uuid>: closes may release the lock
constexpr char kCas = 'c';       // cas/: the index files

constexpr uint32_t kStateMask =
    IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR | IN_DONT_FOLLOW;
constexpr uint32_t kPodMask = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_ONLYDIR | IN_DONT_FOLLOW;
constexpr uint32_t kCasMask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE |
                              IN_ONLYDIR | IN_DONT_FOLLOW;

bool may_hold_running(const std::string& state_dir_name) {
  return state_dir_name == "prepare" || state_dir_name == "run";
}

}  // namespace

Watcher::Watcher(std::string data_dir) : data_dir_(std::move(data_dir)) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw_errno("creating an inotify instance to watch " + data_dir_);
  inotify_ = UniqueFd(fd);
  int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) throw_errno("creating an eventfd");
  stop_ = UniqueFd(efd);
  add_watches();
  thread_ = std::thread([this] { run(); });
}

Watcher::~Watcher() {
  uint64_t one = 1;
  (void)::write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void Watcher::watch(const std::string& path, uint32_t mask, char kind) {
  int wd = ::inotify_add_watch(inotify_.get(), path.c_str(), mask);
  if (wd < 0) return;  // not there (yet), or gone already: a later event adds it
  watches_[wd] = {path, kind};
}

void Watcher::add_watches() {
  watch(data_dir_, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, kTop);
  std::string pods_root = pods::pods_root(data_dir_);
  watch(pods_root, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, kTop);
  for (pods::DirState s : pods::kAllDirStates) {
    std::string dir = pods::state_dir(data_dir_, s);
    watch(dir, kStateMask, kStateDir);
    if (!may_hold_running(std::string(pods::dir_state_name(s)))) continue;
    try {
      for (const auto& name : list_dir(dir)) watch(dir + "/" + name, kPodMask, kPodDir);
    } catch (const Error&) {
      // The state directory does not exist yet.
    }
  }
  watch(data_dir_ + "/cas", kCasMask, kCas);
}

void Watcher::bump(char kind) {
  std::lock_guard lock(mu_);
  if (kind == kCas)
    ++counts_.images;
  else
    ++counts_.pods;
}

void Watcher::handle(const inotify_event& ev) {
  if (ev.mask & IN_Q_OVERFLOW) {
    bump(kStateDir);
    bump(kCas);
    return;
  }
  auto it = watches_.find(ev.wd);
  if (it == watches_.end()) return;
  if (ev.mask & IN_IGNORED) {
    watches_.erase(it);
    was_locked_.erase(ev.wd);
    return;
  }
  auto [path, kind] = it->second;
  std::string name = ev.len > 0 ? std::string(ev.name) : std::string();
  switch (kind) {
    case kTop:
      add_watches();  // pods/, a state directory or cas/ appeared
      bump(kStateDir);
      bump(kCas);
      break;
    case kStateDir: {
      std::string state = path.substr(path.rfind('/') + 1);
      if ((ev.mask & (IN_CREATE | IN_MOVED_TO)) && may_hold_running(state) && !name.empty())
        watch(path + "/" + name, kPodMask, kPodDir);
      bump(kStateDir);
      break;
    }
    case kPodDir:
      // Only closes of the directory itself (no name) can let its lock go.
      if (name.empty()) closed_.push_back(ev.wd);
      break;
    case kCas:
      if (name == "db" || name == "db-wal") bump(kCas);
      break;
    default:
      break;
  }
}

void Watcher::run() {
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    struct pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN)) break;
    uint64_t before_pods = counts().pods, before_images = counts().images;
    for (;;) {
      ssize_t len = ::read(inotify_.get(), buf, sizeof buf);
      if (len <= 0) break;
      for (char* p = buf; p < buf + len;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        handle(*ev);
        p += sizeof(inotify_event) + ev->len;
      }
    }
    if (!closed_.empty()) {
      LockTable locks = LockTable::read();
      for (int wd : closed_) {
        auto w = watches_.find(wd);
        if (w == watches_.end()) continue;
        bool locked = locks.locked(file_key(w->second.first));
        auto [known, added] = was_locked_.try_emplace(wd, locked);
        if (added || known->second != locked) bump(kPodDir);
        known->second = locked;
      }
      closed_.clear();
    }
    if (counts().pods != before_pods || counts().images != before_images) cv_.notify_all();
  }
  cv_.notify_all();
}

ChangeCounts Watcher::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

ChangeCounts Watcher::wait(const ChangeCounts& seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !(counts_ == seen); });
  return counts_;
}

}  // namespace pod::api
