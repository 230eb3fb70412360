// rkt's image reference syntax: "example.com/app:1.0" or "example.com/app,version=1.0,os=linux".
#include "aci/names.hpp"
#include "aci/validation_error.hpp"
#include "common/strings.hpp"

namespace pod::aci {

ImageReference parse_image_reference(std::string_view text) {
  const std::string field = "image reference \"" + std::string(text) + "\"";
  ImageReference ref;
  size_t comma = text.find(',');
  std::string_view head = text.substr(0, comma);
  std::string_view rest = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  if (rest.find(':') != std::string_view::npos)
    throw ValidationError(field, "a colon may appear only right after the image name (name:version)");
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t colon = head.find(':');
  if (colon != std::string_view::npos) {
    if (head.find(':', colon + 1) != std::string_view::npos)
      throw ValidationError(field, "a colon may appear at most once (name:version)");
    pairs.emplace_back("version", std::string(head.substr(colon + 1)));
    head = head.substr(0, colon);
  }
  ref.name = std::string(head);
  validate_ac_identifier(ref.name, field);
  if (comma != std::string_view::npos) {
    for (const auto& part : split(rest, ',')) {
      size_t eq = part.find('=');
      if (eq == std::string::npos || eq == 0)
        throw ValidationError(field, "\"" + part + "\" is not a label: write NAME=VALUE");
      pairs.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    }
  }
  for (auto& [name, value] : pairs) {
    if (ref.labels.get(name))
      throw ValidationError(field, "label \"" + name + "\" is given more than once");
    ref.labels.set(std::move(name), std::move(value));
  }
  validate_labels(ref.labels, field + " labels");
  return ref;
}

std::string format_image_reference(const ImageReference& ref) {
  if (ref.labels.size() == 1 && ref.labels.items()[0].name == "version")
    return ref.name + ":" + ref.labels.items()[0].value;
  std::string out = ref.name;
  for (const auto& label : ref.labels) out += "," + label.name + "=" + label.value;
  return out;
}

}  // namespace pod::aci
