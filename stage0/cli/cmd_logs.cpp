// pod logs: the apps' output as pod init kept it, in /rkt/logs/<app>.log of the stage1
// rootfs (CRI log format, rotated to <app>.log.1; Documentation/stage1-abi.md, "Logs").
// Without log files, the host's journal (journalctl POD_UUID=...) when it has the pod's
// records (pod init sends them there when journald is reachable; Documentation/systemd.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/fs.hpp"
#include "common/process.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"
#include "stage0/pods/cli_support.hpp"
#include "stage0/pods/info.hpp"
#include "stage0/pods/paths.hpp"

namespace pod::cli {
namespace {

struct Record {
  std::string time;  // RFC 3339, as written
  std::string app;
  bool partial = false;
  std::string text;
};

// "<time> <stdout|stderr> <F|P> <text>"; a malformed line is kept whole as text.
Record parse_record(const std::string& app, std::string_view line) {
  Record r;
  r.app = app;
  auto s1 = line.find(' ');
  auto s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
  auto s3 = s2 == std::string_view::npos ? s2 : line.find(' ', s2 + 1);
  if (s3 == std::string_view::npos) {
    r.text = std::string(line);
    return r;
  }
  r.time = std::string(line.substr(0, s1));
  r.partial = line.substr(s2 + 1, s3 - s2 - 1) == "P";
  r.text = std::string(line.substr(s3 + 1));
  return r;
}

// Where the stage1 rootfs's files are on disk: the overlay's upper dir, or the copy.
// Chosen by how the pod was rendered, not by whether rkt/logs exists yet: pod init
// creates it when the first app starts, which `pod logs --follow` may well precede.
std::string logs_dir(const pods::Pod& pod) {
  const std::string upper = pod.path() + "/overlay/stage1/upper";
  if (is_directory(upper)) return upper + "/rkt/logs";
  return pod.path() + "/stage1/rootfs/rkt/logs";
}

// A log file read from an offset on, noticing rotation (the path's inode changes).
struct Tail {
  std::string app;
  std::string path;
  UniqueFd fd;
  ino_t inode = 0;
  std::string pending;  // a line not complete yet

  std::vector<Record> read_new() {
    std::vector<Record> out;
    if (!fd) {
      if (!path_exists(path)) return out;
      fd = open_fd(path, O_RDONLY);
      struct stat st{};
      inode = fstat(fd.get(), &st) == 0 ? st.st_ino : 0;
    }
    drain(out);
    struct stat now{};
    if (stat(path.c_str(), &now) == 0 && now.st_ino != inode) {
      drain(out);  // the rest of the rotated file, then the new one from its start
      fd.reset();
      pending.clear();
      auto more = read_new();
      out.insert(out.end(), more.begin(), more.end());
    }
    return out;
  }

  void drain(std::vector<Record>& out) {
    pending += read_all(fd.get(), path);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(parse_record(app, std::string_view(pending).substr(start, nl - start)));
    pending.erase(0, start);
  }
};

std::vector<Record> read_file_records(const std::string& app, const std::string& path) {
  std::vector<Record> out;
  if (!path_exists(path)) return out;
  for (const auto& line : split(read_file(path), '\n'))
    if (!line.empty()) out.push_back(parse_record(app, line));
  return out;
}

// "<µs since the epoch>" as the CRI files' RFC 3339 time (nanoseconds), so both sort alike.
std::string rfc3339_from_usec(std::string_view usec) {
  long long us = 0;
  for (char ch : usec) {
    if (ch < '0' || ch > '9') return {};
    us = us * 10 + (ch - '0');
  }
  const time_t secs = static_cast<time_t>(us / 1000000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld000Z", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, us % 1000000);
  return buf;
}

// journalctl -o export: entries separated by an empty line, each field "NAME=value\n" or
// binary ("NAME\n", 64-bit little-endian size, value, "\n").
std::vector<Record> parse_journal_export(std::string_view text) {
  std::vector<Record> out;
  Record cur;
  bool any = false;
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    const std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty()) {
      if (any) out.push_back(cur);
      cur = Record{};
      any = false;
      continue;
    }
    std::string_view name;
    std::string value;
    if (const size_t eq = line.find('='); eq != std::string_view::npos) {
      name = line.substr(0, eq);
      value = std::string(line.substr(eq + 1));
    } else {  // binary field
      name = line;
      if (at + 8 > text.size()) break;
      uint64_t n = 0;
      for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(text[at + static_cast<size_t>(i)]);
      at += 8;
      if (at + n > text.size()) break;
      value = std::string(text.substr(at, n));
      at += n + 1;
    }
    if (name == "MESSAGE") cur.text = value, any = true;
    else if (name == "POD_APP") cur.app = value;
    else if (name == "__REALTIME_TIMESTAMP") cur.time = rfc3339_from_usec(value);
  }
  if (any) out.push_back(cur);
  return out;
}

// The pod's records in the host's journal (none without journalctl or journald).
std::vector<Record> read_journal_records(const std::string& uuid, const std::vector<std::string>& apps) {
  if (access("/usr/bin/journalctl", X_OK) != 0 && access("/bin/journalctl", X_OK) != 0) return {};
  std::vector<std::string> argv{"journalctl", "-q", "--no-pager", "-o", "export", "POD_UUID=" + uuid};
  for (const auto& a : apps) argv.push_back("POD_APP=" + a);  // ORed by journalctl
  RunResult r = pod::run_command(argv);
  if (r.exit_code != 0) return {};
  return parse_journal_export(r.out);
}

void print(const std::vector<Record>& records, bool timestamps, bool prefix) {
  std::string out;
  bool line_start = true;
  for (const auto& r : records) {
    if (line_start) {
      if (timestamps) out += r.time + " ";
      if (prefix) out += r.app + ": ";
    }
    out += r.text;
    line_start = !r.partial;
    if (line_start) out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

Command logs_command() {
  Command c;
  c.name = "logs";
  c.summary = "Print the output of a pod's apps";
  c.usage = "pod logs [--app=NAME] [--follow] [--tail=N] [--timestamps] UUID";
  c.description =
      "Prints what the pod's apps wrote to stdout and stderr, from the log files pod init keeps "
      "(nspawn flavor), or, without them, from the host's journal when it has the pod's records. With several apps and no --app, lines of every app, in time order, "
      "each prefixed with the app's name.";
  c.run = [c](Invocation& inv) -> int {
    ArgParser p(c);
    p.add()("app", "only this app's output", cxxopts::value<std::string>())(
        "follow", "keep printing new output until the pod exits", cxxopts::value<bool>()->default_value("false"))(
        "tail", "only the last N lines", cxxopts::value<long>())(
        "timestamps", "prefix each line with the time it was written (RFC 3339, UTC)",
        cxxopts::value<bool>()->default_value("false"))(
        "uuid", "the pod", cxxopts::value<std::vector<std::string>>());
    p.positional({"uuid"}, "UUID");
    auto res = p.parse(inv.args, inv.global);
    if (!res.count("uuid")) throw UsageError("no pod given", 0, c.usage);
    const auto uuid_args = res["uuid"].as<std::vector<std::string>>();
    pods::Pod pod = pods::open_pod_arg(inv.global.dir, uuid_args, std::nullopt);
    return with_context("logs of pod " + pod.uuid(), [&]() -> int {
      auto info = pods::read_pod_info(pod);
      std::vector<std::string> apps;
      if (res.count("app")) apps.push_back(pods::choose_app(info, res["app"].as<std::string>()));
      else
        for (const auto& a : info.apps) apps.push_back(a.name);
      const std::string dir = logs_dir(pod);
      const bool prefix = apps.size() > 1;
      const bool timestamps = res["timestamps"].as<bool>();
      std::vector<Record> records;
      bool any_file = false;
      for (const auto& app : apps) {
        std::string base = dir + "/" + app + ".log";
        any_file = any_file || path_exists(base) || path_exists(base + ".1");
        auto old = read_file_records(app, base + ".1");
        records.insert(records.end(), old.begin(), old.end());
      }
      // The current files are read through Tails, so --follow goes on where they end.
      std::vector<Tail> tails;
      for (const auto& app : apps) {
        tails.push_back(Tail{app, dir + "/" + app + ".log", {}, 0, {}});
        auto now = tails.back().read_new();
        records.insert(records.end(), now.begin(), now.end());
      }
      bool from_journal = false;
      if (!any_file) {
        records = read_journal_records(pod.uuid(), apps);
        from_journal = !records.empty();
      }
      if (!any_file && !from_journal && info.state != pods::PodState::running) {
        Error e("the pod has no log files (" + dir + ")");
        e.set_hint("logs are kept by the nspawn flavor's pod init; a fly pod's output went to its terminal");
        throw e;
      }
      std::stable_sort(records.begin(), records.end(),
                       [](const Record& a, const Record& b) { return a.time < b.time; });
      if (res.count("tail")) {
        long n = res["tail"].as<long>();
        if (n < 0) throw UsageError("--tail wants a number of lines >= 0");
        // Count whole lines: a run of P records and its F is one line.
        size_t lines = 0;
        size_t keep = records.size();
        while (keep > 0) {
          if (!records[keep - 1].partial) {
            if (lines == static_cast<size_t>(n)) break;
            ++lines;
          }
          --keep;
        }
        records.erase(records.begin(), records.begin() + static_cast<long>(keep));
      }
      print(records, timestamps, prefix);
      if (!res["follow"].as<bool>() || from_journal) return 0;  // the journal is not followed
      for (;;) {
        bool running = pods::read_pod_info(pods::Pod::open(inv.global.dir, pod.uuid())).state ==
                       pods::PodState::running;
        std::vector<Record> fresh;
        for (auto& t : tails) {
          auto more = t.read_new();
          fresh.insert(fresh.end(), more.begin(), more.end());
        }
        std::stable_sort(fresh.begin(), fresh.end(),
                         [](const Record& a, const Record& b) { return a.time < b.time; });
        print(fresh, timestamps, prefix);
        if (!running) return 0;  // read once more after it ended: nothing is lost
        usleep(100 * 1000);
      }
    });
  };
  return c;
}

}  // namespace pod::cli
