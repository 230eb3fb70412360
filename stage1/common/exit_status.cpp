#include "stage1/common/exit_status.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage1 {

void write_exit_status(const PodLayout& pod, const std::string& app, int exit_code) {
  with_context("writing the exit status of app " + app, [&] {
    make_dirs(pod.status_dir());
    write_file_atomic(pod.status_file(app), std::to_string(exit_code), 0644, /*durable=*/false);
  });
}

int read_exit_status(const PodLayout& pod, const std::string& app) {
  if (!path_exists(pod.status_file(app))) return -1;
  auto text = read_file(pod.status_file(app));
  auto t = trim(text);
  int value = -1;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size())
    throw Error("exit status file " + pod.status_file(app) + " holds \"" + std::string(t) + "\"");
  return value;
}

void write_pid_file(const PodLayout& pod, int pid) {
  with_context("writing the pod's pid file", [&] { write_file_atomic(pod.pid_file(), std::to_string(pid), 0644, /*durable=*/false); });
}

}  // namespace pod::stage1
