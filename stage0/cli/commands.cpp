// The table of subcommands. Each command lives in its own cmd_*.cpp file.
#include "stage0/cli/commands.hpp"

namespace pod::cli {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> v;
    v.push_back(version_command());
    v.push_back(help_command());
    v.push_back(image_build_command());
    v.push_back(image_validate_command());
    v.push_back(image_cat_manifest_command());
    v.push_back(fetch_command());
    v.push_back(trust_command());
    v.push_back(trust_list_command());
    v.push_back(trust_rm_command());
    v.push_back(image_verify_command());
    v.push_back(image_list_command());
    v.push_back(image_rm_command());
    v.push_back(image_export_command());
    v.push_back(image_extract_command());
    v.push_back(image_render_command());
    v.push_back(image_gc_command());
    v.push_back(run_command());
    v.push_back(prepare_command());
    v.push_back(run_prepared_command());
    v.push_back(list_command());
    v.push_back(status_command());
    v.push_back(enter_command());
    v.push_back(logs_command());
    v.push_back(stop_command());
    v.push_back(rm_command());
    v.push_back(gc_command());
    v.push_back(cat_manifest_command());
    v.push_back(export_command());
    v.push_back(config_command());
    v.push_back(api_service_command());
    v.push_back(app_sandbox_command());
    v.push_back(app_add_command());
    v.push_back(app_start_command());
    v.push_back(app_stop_command());
    v.push_back(app_rm_command());
    v.push_back(app_list_command());
    v.push_back(app_status_command());
    v.push_back(metadata_service_command());
    return v;
  }();
  return commands;
}

}  // namespace pod::cli
