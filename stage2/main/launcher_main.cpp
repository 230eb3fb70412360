// The stage2 launcher executable (static): see Documentation/stage2.md.
#include <string>
#include <vector>

#include "stage2/launcher.hpp"

int main(int argc, char** argv) {
  return pod::stage2::launcher_main(std::vector<std::string>(argv + 1, argv + argc));
}
