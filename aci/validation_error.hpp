// A manifest or name that breaks a rule of the appc spec. The message names the
// field (JSON path such as "app.isolators[1].value.limit") and the rule broken.
#pragma once

#include "common/error.hpp"

namespace pod::aci {

class ValidationError : public pod::Error {
 public:
  ValidationError(std::string field, std::string rule)
      : pod::Error(field.empty() ? rule : field + ": " + rule), field_(std::move(field)) {}
  [[nodiscard]] const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

}  // namespace pod::aci
