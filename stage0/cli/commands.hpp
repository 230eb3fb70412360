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

}  // namespace pod::cli
