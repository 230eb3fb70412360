#include "stage0/pods/cli_support.hpp"

#include "common/error.hpp"
#include "stage0/pods/resolve.hpp"

namespace pod::pods {

std::vector<std::string> uuids_from_args(const std::string& data_dir,
                                         const std::vector<std::string>& args,
                                         const std::optional<std::string>& uuid_file) {
  std::vector<std::string> out;
  if (uuid_file) out.push_back(read_uuid_file(*uuid_file));
  if (!args.empty()) {
    auto pods = list_pods(data_dir);
    for (const auto& a : args) out.push_back(resolve_uuid_in(pods, a));
  }
  if (out.empty())
    throw UsageError("no pod given", 0, "name a pod by UUID (or a unique prefix), or use --uuid-file");
  return out;
}

Pod open_pod_arg(const std::string& data_dir, const std::vector<std::string>& args,
                 const std::optional<std::string>& uuid_file) {
  if (args.size() + (uuid_file ? 1 : 0) > 1)
    throw UsageError("more than one pod given", 0, "name exactly one pod");
  return Pod::open(data_dir, uuids_from_args(data_dir, args, uuid_file).at(0));
}

}  // namespace pod::pods
