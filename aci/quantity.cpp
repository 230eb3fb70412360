// Resource quantities: "500m", "0.3", "1G", "512Mi", "1e3" (appc spec ace.md, Resource Isolators).
#include <string_view>

#include "aci/isolators.hpp"
#include "aci/validation_error.hpp"

namespace pod::aci {
namespace {

using Wide = unsigned __int128;

struct Scale {
  Wide numerator = 1;  // the suffix multiplies by numerator / denominator
  Wide denominator = 1;
};

std::optional<Scale> suffix_scale(std::string_view suffix) {
  if (suffix.empty()) return Scale{};
  if (suffix == "m") return Scale{1, 1000};
  static constexpr std::string_view kDecimal = "KMGTPE";
  static constexpr std::string_view kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  if (suffix == "k") suffix = "K";  // Kubernetes writes kilo lower-case, the spec upper-case
  if (suffix.size() == 1) {
    auto pos = kDecimal.find(suffix[0]);
    if (pos == std::string_view::npos) return std::nullopt;
    Wide n = 1;
    for (size_t i = 0; i <= pos; ++i) n *= 1000;
    return Scale{n, 1};
  }
  for (size_t i = 0; i < std::size(kBinary); ++i)
    if (suffix == kBinary[i]) return Scale{Wide{1} << (10 * (i + 1)), 1};
  if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() <= 3) {
    Wide n = 1;
    for (char c : suffix.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    int exponent = std::stoi(std::string(suffix.substr(1)));
    if (exponent > 18) return std::nullopt;
    for (int i = 0; i < exponent; ++i) n *= 10;
    return Scale{n, 1};
  }
  return std::nullopt;
}

// The quantity in milli-units, rounded up; throws ValidationError on bad syntax or overflow.
int64_t parse_milli(const std::string& text, const std::string& field) {
  auto bad = [&](const std::string& why) {
    return ValidationError(field, "\"" + text + "\" is not a valid quantity: " + why);
  };
  size_t i = 0;
  Wide digits = 0;
  Wide fraction_scale = 1;
  bool any_digit = false;
  bool in_fraction = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (digits > (Wide{1} << 64)) throw bad("the number is too large");
    digits = digits * 10 + static_cast<unsigned>(c - '0');
    if (in_fraction) {
      if (fraction_scale > (Wide{1} << 64)) throw bad("too many decimal places");
      fraction_scale *= 10;
    }
  }
  if (!any_digit)
    throw bad("write a non-negative number with an optional suffix (m, K, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)");
  auto scale = suffix_scale(std::string_view(text).substr(i));
  if (!scale)
    throw bad("unknown suffix \"" + text.substr(i) + "\" (use m, K, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi or Ei)");
  // milli = ceil(digits * numerator * 1000 / (fraction_scale * denominator)), checked for overflow.
  Wide numerator = 0;
  if (__builtin_mul_overflow(digits, scale->numerator, &numerator) ||
      __builtin_mul_overflow(numerator, Wide{1000}, &numerator))
    throw bad("the value is too large");
  Wide denominator = fraction_scale * scale->denominator;
  Wide milli = (numerator + denominator - 1) / denominator;
  if (milli > static_cast<Wide>(INT64_MAX)) throw bad("the value is too large");
  return static_cast<int64_t>(milli);
}

}  // namespace

int64_t Quantity::milli() const { return parse_milli(text, "quantity"); }

int64_t Quantity::value() const {
  int64_t m = milli();
  return m / 1000 + (m % 1000 != 0 ? 1 : 0);
}

Quantity Quantity::parse(const std::string& text, const std::string& field) {
  (void)parse_milli(text, field);  // validation only: the text is what is kept
  return Quantity{text};
}

}  // namespace pod::aci
