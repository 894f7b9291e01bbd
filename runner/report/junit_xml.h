// junit.xml for CI test reporters: a test case per gate (failed when the gate failed) and one per
// call whose final record is an error, with its kind and message.
#pragma once

#include <string>

#include "common/status.h"
#include "common/text.h"
#include "report/summary.h"

namespace evalrun {

Status WriteJunitXml(const std::string& results_path, const std::string& xml_path,
                     const Summary& summary);

}  // namespace evalrun
