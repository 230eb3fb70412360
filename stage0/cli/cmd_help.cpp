#include <algorithm>
#include <cstdio>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/commands.hpp"

namespace pod::cli {

std::string general_help() {
  std::string out =
      "pod - a daemonless, pod-native runtime for App Container (appc) images\n\n"
      "Usage:\n  pod [global flags] COMMAND [flags] [args]\n\nCommands:\n";
  size_t w = 0;
  for (const auto& c : all_commands()) w = std::max(w, c.name.size());
  for (const auto& c : all_commands())
    out += "  " + c.name + std::string(w - c.name.size() + 2, ' ') + c.summary + "\n";
  out +=
      "\nGlobal flags (accepted before or after the command):\n"
      "  --dir=DIR                 pod data directory (default /var/lib/pod)\n"
      "  --local-config=DIR        local configuration directory (default /etc/pod)\n"
      "  --system-config=DIR       system configuration directory (default /usr/lib/pod)\n"
      "  --user-config=DIR         user configuration directory (default $HOME/.config/pod)\n"
      "  --insecure-options=LIST   security features to disable (see 'pod help run')\n"
      "  --trust-keys-from-https   trust gpg keys fetched from https\n"
      "  --debug                   print the inside story to stderr\n"
      "\nRun 'pod help COMMAND' or 'pod COMMAND --help' for a command's flags.\n";
  return out;
}

Command help_command() {
  Command c;
  c.name = "help";
  c.summary = "Show help for pod or for a command";
  c.usage = "pod help [COMMAND]";
  c.run = [c](Invocation& inv) {
    std::vector<std::string> words;
    for (const auto& a : inv.args)
      if (!starts_with(a, "-")) words.push_back(a);
    if (words.empty()) {
      std::fputs(general_help().c_str(), stdout);
      return 0;
    }
    std::string wanted = join(words, " ");
    for (const auto& cmd : all_commands()) {
      if (cmd.name == wanted) {
        Invocation sub;
        sub.args = {"--help"};
        return cmd.run(sub);  // every command prints its help on --help
      }
    }
    // A group such as "image": list its subcommands.
    std::string out;
    for (const auto& cmd : all_commands())
      if (starts_with(cmd.name, wanted + " "))
        out += "  " + cmd.name + "  " + cmd.summary + "\n";
    if (!out.empty()) {
      std::printf("Commands of \"pod %s\":\n%s", wanted.c_str(), out.c_str());
      return 0;
    }
    throw UsageError("unknown command \"" + wanted + "\"", 0, "run 'pod help' for the list");
  };
  return c;
}

}  // namespace pod::cli
