// The fetch settings the global flags imply, for every command that fetches images
// (fetch, run, prepare, trust).
#pragma once

#include "stage0/cli/cli.hpp"
#include "stage0/fetch/image_fetcher.hpp"

namespace pod::cli {

[[nodiscard]] fetch::FetchSettings fetch_settings_from(const GlobalOptions& g);

}  // namespace pod::cli
