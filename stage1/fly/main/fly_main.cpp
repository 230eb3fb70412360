// The stage1-fly entrypoints (static, multi-call): see Documentation/stage1-fly.md.
#include <string>
#include <vector>

#include "stage1/fly/entrypoints.hpp"

int main(int argc, char** argv) {
  return pod::stage1::fly::fly_main(std::vector<std::string>(argv, argv + argc));
}
