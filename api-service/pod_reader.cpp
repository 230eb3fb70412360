#include "api-service/pod_reader.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "aci/manifest.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::api {

namespace {

// A pod that keeps moving while we look is reported as it was last seen; three rounds
// are plenty for a pod that moves once or twice in its life.
constexpr int kAttempts = 3;

std::vector<std::string> names_in(const std::string& dir) {
  try {
    return list_dir(dir);
  } catch (const Error& e) {
    if (e.errnum() == ENOENT) return {};
    throw;
  }
}

std::optional<std::string> read_optional(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error& e) {
    if (e.errnum() == ENOENT || e.errnum() == ESRCH) return std::nullopt;
    throw;
  }
}

int64_t ctime_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return 0;
  return int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
}

}  // namespace

bool pod_is_complete(pods::PodState s) {
  return s != pods::PodState::embryo && s != pods::PodState::preparing &&
         s != pods::PodState::aborted_prepare && s != pods::PodState::deleting;
}

std::string cgroup_from_proc(const std::string& text) {
  std::string unified;
  for (const auto& line : split(text, '\n')) {
    // "1:name=systemd:/machine.slice/x.scope" or "0::/user.slice"
    auto first = line.find(':');
    if (first == std::string::npos) continue;
    auto second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers == "name=systemd") return path;
    if (line.substr(0, first) == "0" && controllers.empty()) unified = path;
  }
  return unified;
}

bool PodReader::still_there(const PodEntry& e) const {
  return file_key(pods::pod_dir(data_dir_, e.dir, e.uuid)) == e.key;
}

std::vector<PodEntry> PodReader::scan() const {
  std::vector<PodEntry> out;
  for (pods::DirState d : pods::kAllDirStates) {
    std::string dir = pods::state_dir(data_dir_, d);
    for (auto& name : names_in(dir)) {
      FileKey key = file_key(dir + "/" + name);
      if (key == FileKey{0, 0}) continue;  // moved on: found in a later directory or gone
      out.push_back(PodEntry{std::move(name), d, pods::PodState::embryo, key});
    }
  }
  // Locks are read after the directories: a pod seen in prepare/ or run/ was locked
  // before it got there, so an unlocked one there has really been let go.
  LockTable locks = LockTable::read();
  std::vector<PodEntry> result;
  result.reserve(out.size());
  for (auto& e : out) {
    e.state = pods::observed_state(e.dir, locks.locked(e.key));
    if (still_there(e)) {
      result.push_back(std::move(e));
    } else if (auto again = find(e.uuid)) {
      result.push_back(std::move(*again));
    }
  }
  return result;
}

std::optional<PodEntry> PodReader::find(const std::string& uuid) const {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    for (pods::DirState d : pods::kAllDirStates) {
      PodEntry e{uuid, d, pods::PodState::embryo, file_key(pods::pod_dir(data_dir_, d, uuid))};
      if (e.key == FileKey{0, 0}) continue;
      e.state = pods::observed_state(d, LockTable::read().locked(e.key));
      if (still_there(e)) return e;
      break;  // it moved while we looked: another round
    }
  }
  return std::nullopt;
}

PodRecord PodReader::read_once(const PodEntry& entry) const {
  PodRecord rec;
  rec.entry = entry;
  rec.info.uuid = entry.uuid;
  rec.info.state = entry.state;
  std::string path = pods::pod_dir(data_dir_, entry.dir, entry.uuid);
  if (entry.dir == pods::DirState::exited_garbage || entry.dir == pods::DirState::garbage)
    rec.gc_marked_at = ctime_ns(path);
  if (!pod_is_complete(entry.state)) return rec;
  try {
    pods::Pod pod = pods::Pod::open(data_dir_, entry.uuid);
    rec.info = pods::read_pod_info(pod, entry.state);
    rec.manifest_text = read_optional(path + "/" + pods::pod_file::kManifest).value_or("");
  } catch (const Error& e) {
    if (e.errnum() != ENOENT) throw;
  }
  if (!rec.manifest_text.empty()) {
    try {
      auto m = aci::PodManifest::parse(rec.manifest_text);
      rec.annotations = m.annotations;
      for (const auto& a : m.user_annotations) rec.annotations.set(a.name, a.value);
      for (const auto& ia : rec.info.apps) {
        const aci::RuntimeApp* ra = m.find_app(ia.name);
        rec.apps.push_back(AppDetail{ra ? ra->annotations : aci::Annotations{}});
      }
    } catch (const Error&) {
      // A manifest that does not parse: the pod is shown without annotations.
    }
  }
  rec.apps.resize(rec.info.apps.size());
  if (entry.state == pods::PodState::running && rec.info.pid)
    rec.cgroup = cgroup_from_proc(
        read_optional("/proc/" + std::to_string(*rec.info.pid) + "/cgroup").value_or(""));
  return rec;
}

// What was read belongs together when the pod is still where it was read from and
// nobody took its lock meanwhile (gc deleting it, run-prepared starting it).
bool PodReader::unchanged(const PodEntry& e, const LockTable& locks) const {
  return still_there(e) && pods::observed_state(e.dir, locks.locked(e.key)) == e.state;
}

std::optional<PodRecord> PodReader::read(const PodEntry& first) const {
  PodEntry entry = first;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    PodRecord rec = read_once(entry);
    if (unchanged(entry, LockTable::read())) return rec;
    auto again = find(entry.uuid);
    if (!again) return std::nullopt;
    entry = *again;
  }
  return std::nullopt;
}

std::vector<PodRecord> PodReader::read_all(const std::vector<PodEntry>& entries) const {
  std::vector<PodRecord> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(read_once(e));
  // One look at the locks for all of them; the few that changed are read again.
  LockTable locks = LockTable::read();
  std::vector<PodRecord> result;
  result.reserve(out.size());
  for (auto& rec : out) {
    if (unchanged(rec.entry, locks)) {
      result.push_back(std::move(rec));
    } else if (auto again = find(rec.entry.uuid)) {
      if (auto r = read(*again)) result.push_back(std::move(*r));
    }
  }
  return result;
}

}  // namespace pod::api
