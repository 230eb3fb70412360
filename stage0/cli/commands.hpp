// One factory per subcommand; all_commands() in commands.cpp lists them.
#pragma once

#include "stage0/cli/cli.hpp"

namespace pod::cli {

Command version_command();
Command help_command();

}  // namespace pod::cli
