// libFuzzer target: the job parser (YAML from users), with and without --set overrides.
#include <cstddef>
#include <cstdint>
#include <string>

#include "job/job_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  evalrun::ParseJobText(text, "/nonexistent/fuzz.yaml");
  const size_t cut = text.find('\n');
  if (cut != std::string::npos) {
    evalrun::JobOverride o;
    if (evalrun::ParseOverride(text.substr(0, cut), &o))
      evalrun::ParseJobText(text.substr(cut + 1), "fuzz.yaml", {o});
  }
  return 0;
}
