#include "stage0/cli/cli.hpp"

int main(int argc, char** argv) { return pod::cli::main_entry(argc, argv); }
