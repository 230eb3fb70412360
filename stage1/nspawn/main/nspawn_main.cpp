#include <string>
#include <vector>

#include "stage1/nspawn/entrypoints.hpp"

int main(int argc, char** argv) {
  return pod::stage1::nspawn::nspawn_main(std::vector<std::string>(argv, argv + argc));
}
