// A problem found in a user's file, located as FILE:LINE:COL the way compilers print it, so editors
// and CI annotations can jump to it. Produced by the job and dataset parsers, printed by the CLI.
#pragma once

#include <string>
#include <vector>

namespace evalrun {

struct Diagnostic {
  std::string file;  // as the user gave it
  int line = 0;      // physical line, from 1; 0 when the problem has no line
  int col = 0;       // byte column, from 1; 0 when unknown
  std::string message;

  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace evalrun
