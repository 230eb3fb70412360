// The loop of the commands that act on several pods (rm, stop): rkt goes on with the next
// pod when one fails, prints each failure, and exits 254 if any failed.
#include "stage0/cli/cli.hpp"
#include "stage0/pods/cli_support.hpp"

namespace pod::cli {

int for_each_pod(const std::string& data_dir, const PodArgs& named,
                 const std::function<void(const std::string& uuid)>& one) {
  int status = 0;
  for (const auto& uuid : pods::uuids_from_args(data_dir, named.uuids, named.uuid_file)) {
    try {
      one(uuid);
    } catch (const Error& e) {
      print_error(e);
      status = kExitFailure;
    }
  }
  return status;
}

}  // namespace pod::cli
