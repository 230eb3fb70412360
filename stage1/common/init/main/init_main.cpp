// pod init's entry point: PID 1 of a namespaced pod (see pod_init.hpp).
#include <cstdio>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "stage1/common/init/exit_rule.hpp"
#include "stage1/common/init/options.hpp"
#include "stage1/common/init/pod_init.hpp"

namespace {

// The run entrypoint tells a pod that failed from one that was killed by this record.
void record_failure() {
  using namespace pod;
  try {
    make_dirs(parent_dir(stage1::init::kResultFile));
    write_file_atomic(stage1::init::kResultFile, stage1::init::result_text({254, 0, true}), 0644, false);
  } catch (const Error&) {
    // The exit status 254 still says it.
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pod;
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const auto options = stage1::init::parse_init_options(args);
    const Logger log(options.debug);
    stage1::init::PodInit init(options, log);
    return init.run();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "pod init: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "pod: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "pod: %s\n", e.hint().c_str());
    record_failure();
    return 254;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pod init: %s\n", e.what());
    record_failure();
    return 254;
  }
}
