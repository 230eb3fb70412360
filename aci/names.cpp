// AC Identifier, AC Name, AC Version, C identifiers and image IDs (appc spec types.md).
#include "aci/names.hpp"

#include <algorithm>

#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Runs of lower-case alphanumerics joined by single separators from `separators`:
// the reference implementation's grammar, which the spec's prose ("begins and ends
// with an alphanumeric") describes.
bool is_separated_alnum(std::string_view s, std::string_view separators) {
  if (s.empty()) return false;
  bool after_separator = true;
  for (char c : s) {
    if (is_lower_alnum(c)) {
      after_separator = false;
    } else if (separators.find(c) != std::string_view::npos) {
      if (after_separator) return false;
      after_separator = true;
    } else {
      return false;
    }
  }
  return !after_separator;
}

bool is_numeric_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit) && (s.size() == 1 || s[0] != '0');
}

bool is_alnum_hyphen_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

// Dot-separated identifiers of a pre-release (numeric ones without leading zeros) or build.
bool is_semver_identifiers(std::string_view s, bool prerelease) {
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_alnum_hyphen_identifier(part)) return false;
    if (prerelease && std::all_of(part.begin(), part.end(), is_digit) && !is_numeric_identifier(part))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

bool is_ac_identifier(std::string_view s) { return is_separated_alnum(s, "-._~/"); }

bool is_ac_name(std::string_view s) { return is_separated_alnum(s, "-"); }

void validate_ac_identifier(std::string_view s, const std::string& field) {
  if (s.empty()) throw ValidationError(field, "must not be empty");
  if (!is_ac_identifier(s))
    throw ValidationError(field, "\"" + std::string(s) +
                                     "\" is not a valid AC Identifier: lower-case letters, digits and "
                                     "-._~/ only, starting and ending with a letter or digit, no two "
                                     "separators in a row");
}

void validate_ac_name(std::string_view s, const std::string& field) {
  if (s.empty()) throw ValidationError(field, "must not be empty");
  if (!is_ac_name(s))
    throw ValidationError(field, "\"" + std::string(s) +
                                     "\" is not a valid AC Name: lower-case letters, digits and single "
                                     "dashes only, starting and ending with a letter or digit");
}

std::string sanitize_ac_name(std::string_view s) {
  std::string out;
  bool pending_dash = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (is_lower_alnum(c)) {
      if (pending_dash && !out.empty()) out += '-';
      pending_dash = false;
      out += c;
    } else {
      pending_dash = true;
    }
  }
  if (out.empty())
    throw ValidationError("", "\"" + std::string(s) +
                                  "\" cannot be turned into an AC Name: it has no letters or digits");
  return out;
}

bool is_semver(std::string_view s) {
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    if (!is_semver_identifiers(s.substr(plus + 1), false)) return false;
    s = s.substr(0, plus);
  }
  size_t dash = s.find('-');
  if (dash != std::string_view::npos) {
    if (!is_semver_identifiers(s.substr(dash + 1), true)) return false;
    s = s.substr(0, dash);
  }
  for (int i = 0; i < 3; ++i) {
    size_t dot = s.find('.');
    if ((i < 2) == (dot == std::string_view::npos)) return false;
    if (!is_numeric_identifier(s.substr(0, dot))) return false;
    if (dot != std::string_view::npos) s = s.substr(dot + 1);
  }
  return true;
}

bool is_c_identifier(std::string_view s) {
  if (s.empty() || is_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  });
}

bool is_image_id(std::string_view s) {
  constexpr std::string_view prefix = "sha512-";
  if (s.substr(0, prefix.size()) != prefix) return false;
  std::string_view hex = s.substr(prefix.size());
  return !hex.empty() && hex.size() <= 128 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f');
         });
}

void validate_image_id(std::string_view s, const std::string& field) {
  if (!is_image_id(s))
    throw ValidationError(field, "\"" + std::string(s) +
                                     "\" is not a valid image ID: expected \"sha512-\" followed by "
                                     "lower-case hex digits");
}

std::string default_os() {
#if defined(__linux__)
  return "linux";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__APPLE__)
  return "darwin";
#else
#error "unsupported operating system"
#endif
}

std::string default_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__i386__)
  return "i386";
#elif defined(__aarch64__) && defined(__AARCH64EB__)
  return "aarch64_be";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__ARM_ARCH_7A__) && defined(__ARMEB__)
  return "armv7b";
#elif defined(__ARM_ARCH_7A__)
  return "armv7l";
#elif defined(__arm__)
  return "armv6l";
#else
#error "unsupported architecture"
#endif
}

}  // namespace pod::aci
