#include "stage1/kvm/guest_config.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pod::stage1::kvm {
namespace {

std::string field(const std::string& v) {
  if (v.find_first_of("\t\n") != std::string::npos)
    throw Error("stage1-kvm: \"" + v + "\" holds a tab or newline, which the guest configuration cannot carry");
  return v;
}

}  // namespace

std::string format_guest_config(const GuestConfig& c) {
  std::string out;
  for (const auto& a : c.init_argv) out += "arg\t" + field(a) + "\n";
  if (!c.hostname.empty()) out += "hostname\t" + field(c.hostname) + "\n";
  for (const auto& v : c.volumes)
    out += "volume\t" + field(v.tag) + "\t" + field(v.name) + "\t" + (v.read_only ? "ro" : "rw") + "\n";
  if (c.network)
    out += "net\t" + field(c.network->ip) + "\t" + std::to_string(c.network->prefix) + "\t" +
           field(c.network->gateway) + "\n";
  for (const auto& n : c.nameservers) out += "nameserver\t" + field(n) + "\n";
  if (!c.metadata_url.empty()) out += "metadata-url\t" + field(c.metadata_url) + "\n";
  return out;
}

GuestConfig parse_guest_config(const std::string& text) {
  GuestConfig c;
  int number = 0;
  for (const auto& line : split(text, '\n')) {
    ++number;
    if (line.empty()) continue;
    auto f = split(line, '\t');
    auto bad = [&] { return Error("guest configuration line " + std::to_string(number) + ": \"" + line + "\""); };
    const std::string& key = f[0];
    if (key == "arg" && f.size() == 2) {
      c.init_argv.push_back(f[1]);
    } else if (key == "hostname" && f.size() == 2) {
      c.hostname = f[1];
    } else if (key == "volume" && f.size() == 4 && (f[3] == "ro" || f[3] == "rw")) {
      c.volumes.push_back({f[1], f[2], f[3] == "ro"});
    } else if (key == "net" && f.size() == 4) {
      GuestNetwork n{f[1], 0, f[3]};
      auto [end, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), n.prefix);
      if (ec != std::errc() || end != f[2].data() + f[2].size() || n.prefix < 0 || n.prefix > 32) throw bad();
      c.network = n;
    } else if (key == "nameserver" && f.size() == 2) {
      c.nameservers.push_back(f[1]);
    } else if (key == "metadata-url" && f.size() == 2) {
      c.metadata_url = f[1];
    } else {
      throw bad();
    }
  }
  if (c.init_argv.empty()) throw Error("guest configuration: no pod init command (\"arg\" lines)");
  return c;
}

}  // namespace pod::stage1::kvm
