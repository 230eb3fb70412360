#include <string>
#include <vector>

#include "stage1/kvm/entrypoints.hpp"

int main(int argc, char** argv) {
  return pod::stage1::kvm::kvm_main(std::vector<std::string>(argv, argv + argc));
}
