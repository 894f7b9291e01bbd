#include "common/diagnostic.h"

#include <fmt/format.h>

namespace evalrun {

std::string Diagnostic::ToString() const {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  if (col <= 0) return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}:{}:{}: {}", file, line, col, message);
}

}  // namespace evalrun
