#include "stage1/fly/options.hpp"

namespace pod::stage1::fly {
namespace {

// fly's stop accepts --debug (it has nothing to say); its gc takes --local-config (fly
// keeps no network configuration) and refuses other flags.
const EntrypointRules kRules{/*stop_takes_debug=*/true, /*gc_valued_flags=*/{"local-config"},
                             /*gc_ignores_unknown=*/false};

}  // namespace

RunOptions parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  parse_run_flags(
      args,
      [&o](const EntrypointFlag& f, const FlagValues& values) {
        if (take_common_run_flag(f, values, o)) return true;
        if (f.name == "net") append_list(o.net, values.take(f));
        else if (f.name == "mds-token") o.mds_token = values.take(f);
        else return false;
        return true;
      },
      o.uuid, o.unknown);
  return o;
}

EnterOptions parse_enter_options(const std::vector<std::string>& args) { return parse_enter_flags(args); }
StopOptions parse_stop_options(const std::vector<std::string>& args) { return parse_stop_flags(args, kRules); }
GcOptions parse_gc_options(const std::vector<std::string>& args) { return parse_gc_flags(args, kRules); }

}  // namespace pod::stage1::fly
