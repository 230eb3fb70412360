#include "stage2/rlimits.hpp"

#include <charconv>
#include <cerrno>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/strings.hpp"

namespace pod::stage2 {
namespace {

struct ResourceName {
  const char* name;
  int resource;
};

constexpr ResourceName kResources[] = {
    {"AS", RLIMIT_AS},         {"CORE", RLIMIT_CORE},         {"CPU", RLIMIT_CPU},
    {"DATA", RLIMIT_DATA},     {"FSIZE", RLIMIT_FSIZE},       {"LOCKS", RLIMIT_LOCKS},
    {"MEMLOCK", RLIMIT_MEMLOCK}, {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE},
    {"NOFILE", RLIMIT_NOFILE}, {"NPROC", RLIMIT_NPROC},       {"RSS", RLIMIT_RSS},
    {"RTPRIO", RLIMIT_RTPRIO}, {"RTTIME", RLIMIT_RTTIME},     {"SIGPENDING", RLIMIT_SIGPENDING},
    {"STACK", RLIMIT_STACK},
};

rlim_t parse_limit(std::string_view text, std::string_view whole) {
  if (text == "unlimited" || text == "infinity") return RLIM_INFINITY;
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError("rlimit \"" + std::string(whole) + "\": \"" + std::string(text) +
                     "\" is not a number or \"unlimited\"");
  }
  return static_cast<rlim_t>(value);
}

}  // namespace

int rlimit_resource(std::string_view name) {
  if (starts_with(name, "RLIMIT_")) name.remove_prefix(7);
  for (const auto& r : kResources) {
    if (name == r.name) return r.resource;
  }
  return -1;
}

RlimitSetting parse_rlimit(std::string_view text) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw UsageError("rlimit \"" + std::string(text) + "\": expected NAME=SOFT[:HARD]");
  }
  std::string_view name = text.substr(0, eq);
  std::string_view values = text.substr(eq + 1);
  int resource = rlimit_resource(name);
  if (resource < 0) {
    UsageError err("rlimit \"" + std::string(text) + "\": unknown resource \"" + std::string(name) + "\"");
    err.set_hint("resources: AS CORE CPU DATA FSIZE LOCKS MEMLOCK MSGQUEUE NICE NOFILE NPROC RSS "
                 "RTPRIO RTTIME SIGPENDING STACK");
    throw err;
  }
  RlimitSetting s;
  s.resource = resource;
  s.name = starts_with(name, "RLIMIT_") ? std::string(name.substr(7)) : std::string(name);
  auto colon = values.find(':');
  s.soft = parse_limit(values.substr(0, colon), text);
  s.hard = colon == std::string_view::npos ? s.soft : parse_limit(values.substr(colon + 1), text);
  bool soft_above_hard = s.hard != RLIM_INFINITY && (s.soft == RLIM_INFINITY || s.soft > s.hard);
  if (soft_above_hard) {
    throw UsageError("rlimit \"" + std::string(text) + "\": the soft limit is above the hard limit");
  }
  return s;
}

std::vector<RlimitSetting> default_rlimits(rlim_t nr_open) {
  rlim_t hard = nr_open < 524288 ? nr_open : 524288;
  rlim_t soft = hard < 1024 ? hard : 1024;
  return {RlimitSetting{RLIMIT_NOFILE, "NOFILE", soft, hard, true}};
}

std::vector<RlimitSetting> merge_rlimits(std::vector<RlimitSetting> defaults,
                                         const std::vector<RlimitSetting>& explicit_settings) {
  for (const auto& e : explicit_settings) {
    bool replaced = false;
    for (auto& d : defaults) {
      if (d.resource == e.resource) {
        d = e;
        replaced = true;
      }
    }
    if (!replaced) defaults.push_back(e);
  }
  return defaults;
}

rlim_t kernel_nr_open() {
  try {
    auto text = read_file("/proc/sys/fs/nr_open");
    unsigned long long value = 0;
    auto t = trim(text);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec == std::errc() && value > 0) return static_cast<rlim_t>(value);
  } catch (const Error&) {
    // fall through to the kernel's default
  }
  return 1048576;
}

void apply_rlimits(const std::vector<RlimitSetting>& settings) {
  for (const auto& s : settings) {
    struct rlimit limit{s.soft, s.hard};
    if (setrlimit(s.resource, &limit) == 0) continue;
    struct rlimit current{};
    if (errno == EPERM && s.best_effort && getrlimit(s.resource, &current) == 0) {
      limit.rlim_max = current.rlim_max;
      if (limit.rlim_cur > limit.rlim_max) limit.rlim_cur = limit.rlim_max;
      if (setrlimit(s.resource, &limit) == 0) continue;
    }
    throw_errno("setting RLIMIT_" + s.name + " to " + std::to_string(s.soft) + ":" +
                std::to_string(s.hard));
  }
}

}  // namespace pod::stage2
