#include "stage1/nspawn/options.hpp"

namespace pod::stage1::nspawn {
namespace {

// nspawn's stop knows only --force; its gc skips the flags of newer stage0s.
const EntrypointRules kRules{/*stop_takes_debug=*/false, /*gc_valued_flags=*/{},
                             /*gc_ignores_unknown=*/true};

}  // namespace

RunOptions parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  parse_run_flags(
      args,
      [&o](const EntrypointFlag& f, const FlagValues& values) {
        if (take_common_run_flag(f, values, o)) return true;
        const std::string& n = f.name;
        if (n == "private-users") o.private_users = flag_bool(f);
        else if (n == "net") o.net.push_back(values.take(f));
        else if (n == "dns-search") append_list(o.dns_search, values.take(f));
        else if (n == "dns-opt") append_list(o.dns_opt, values.take(f));
        else if (n == "dns-domain") o.dns_domain = values.take(f);
        else if (n == "hosts-entry") o.hosts_entries.push_back(values.take(f));
        else if (n == "system-config") o.system_config = values.take(f);
        else if (n == "mds-token") o.mds_token = values.take(f);
        else if (n == "mds-port") o.mds_port = values.take(f);
        else return false;
        return true;
      },
      o.uuid, o.unknown);
  return o;
}

EnterOptions parse_enter_options(const std::vector<std::string>& args) { return parse_enter_flags(args); }
StopOptions parse_stop_options(const std::vector<std::string>& args) { return parse_stop_flags(args, kRules); }
GcOptions parse_gc_options(const std::vector<std::string>& args) { return parse_gc_flags(args, kRules); }

}  // namespace pod::stage1::nspawn
