#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "stage0/cli/cli.hpp"

namespace pod::cli {

namespace {

// Global flags that take a value as the next argument when not written --flag=value.
bool global_takes_value(std::string_view arg) {
  for (const char* f : {"--dir", "--local-config", "--system-config", "--user-config",
                        "--insecure-options"})
    if (arg == f) return true;
  return false;
}

const Command* find_command(const std::vector<std::string>& words, size_t& used) {
  const Command* best = nullptr;
  size_t best_len = 0;
  for (const auto& c : all_commands()) {
    auto parts = split(c.name, ' ');
    if (parts.size() > words.size() || parts.size() <= best_len) continue;
    bool match = true;
    for (size_t i = 0; i < parts.size(); ++i) match = match && parts[i] == words[i];
    if (match) {
      best = &c;
      best_len = parts.size();
    }
  }
  used = best_len;
  return best;
}

}  // namespace

void print_error(const Error& e, bool usage) {
  std::fprintf(stderr, "pod: %s%s\n", usage ? "" : "error: ", e.what());
  if (!e.hint().empty()) std::fprintf(stderr, "pod: %s\n", e.hint().c_str());
}

std::string general_help();

int main_entry(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Global flags may precede the command: lift them out, keep them for the command's parser.
  std::vector<std::string> leading;
  size_t i = 0;
  while (i < args.size() && starts_with(args[i], "-") && args[i] != "-" && args[i] != "--") {
    if (args[i] == "-h" || args[i] == "--help") {
      std::fputs(general_help().c_str(), stdout);
      return 0;
    }
    leading.push_back(args[i]);
    if (global_takes_value(args[i]) && i + 1 < args.size()) leading.push_back(args[++i]);
    ++i;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  if (rest.empty()) {
    // "pod --dir version": --dir took the command as its value.
    if (leading.size() >= 2 && global_takes_value(leading[leading.size() - 2])) {
      std::fprintf(stderr,
                   "pod: no command given: %s took \"%s\" as its value\n"
                   "pod: write %s=VALUE before the command\n",
                   leading[leading.size() - 2].c_str(), leading.back().c_str(),
                   leading[leading.size() - 2].c_str());
      return kExitFailure;
    }
    std::fputs(general_help().c_str(), stderr);
    return kExitFailure;
  }
  size_t used = 0;
  // Only leading words that are not flags name the command.
  std::vector<std::string> words;
  for (const auto& a : rest) {
    if (starts_with(a, "-")) break;
    words.push_back(a);
  }
  const Command* cmd = find_command(words, used);
  if (!cmd && !words.empty()) {
    // "pod image" or "pod image bogus": a group of commands; name its members.
    std::vector<std::string> subs;
    for (const auto& c : all_commands())
      if (starts_with(c.name, words[0] + " ")) subs.push_back(c.name.substr(words[0].size() + 1));
    if (!subs.empty()) {
      std::string given = words.size() > 1 ? " \"" + words[1] + "\"" : "";
      std::fprintf(stderr, "pod: %s%s: %s\npod: the %s commands are: %s\n",
                   words[0].c_str(), given.c_str(),
                   words.size() > 1 ? "unknown subcommand" : "needs a subcommand",
                   words[0].c_str(), join(subs, ", ").c_str());
      return kExitFailure;
    }
  }
  if (!cmd) {
    std::fprintf(stderr, "pod: unknown command \"%s\"\nRun 'pod help' for the list of commands.\n",
                 join(words, " ").c_str());
    return kExitFailure;
  }
  Invocation inv;
  inv.args = leading;
  inv.args.insert(inv.args.end(), rest.begin() + static_cast<long>(used), rest.end());
  try {
    return cmd->run(inv);
  } catch (const HelpRequested& h) {
    std::fputs(h.text.c_str(), stdout);
    return 0;
  } catch (const UsageError& e) {
    print_error(e, true);
    std::fprintf(stderr, "Run 'pod help %s' for usage.\n", cmd->name.c_str());
    return kExitFailure;
  } catch (const Error& e) {
    print_error(e, false);
    return kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pod: error: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace pod::cli
