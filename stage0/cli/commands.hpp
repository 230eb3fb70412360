// One factory per subcommand; all_commands() in commands.cpp lists them.
#pragma once

#include "stage0/cli/cli.hpp"

namespace pod::cli {

Command version_command();
Command help_command();
Command image_build_command();
Command image_validate_command();
Command image_cat_manifest_command();
Command fetch_command();
Command trust_command();
Command trust_list_command();
Command trust_rm_command();
Command image_verify_command();
Command image_list_command();
Command image_rm_command();
Command image_export_command();
Command image_extract_command();
Command image_render_command();
Command image_gc_command();

// pods
Command run_command();
Command prepare_command();
Command run_prepared_command();
Command list_command();
Command status_command();
Command enter_command();
Command logs_command();
Command stop_command();
Command rm_command();
Command gc_command();
Command cat_manifest_command();
Command export_command();
Command config_command();
Command api_service_command();
// mutable pods (cmd_app*.cpp)
Command app_sandbox_command();
Command app_add_command();
Command app_start_command();
Command app_stop_command();
Command app_rm_command();
Command app_list_command();
Command app_status_command();
Command metadata_service_command();
}  // namespace pod::cli
