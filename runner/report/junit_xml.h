// junit.xml for CI test reporters: a test case per gate (failed when the gate failed) and one per
// call whose latest record is an error, with its kind and message. Fed the failed calls during
// the scan of results.jsonl, written once the summary (and so the gates) is known.
#pragma once

#include <string>

#include "common/status.h"
#include "common/text.h"
#include "report/summary.h"
#include "results/call_record.h"

namespace evalrun {

class JunitXmlWriter {
 public:
  /// A call whose latest record is an error; ok records are ignored.
  void Add(const CallRecord& record);
  Status Write(const std::string& xml_path, const Summary& summary) const;

 private:
  std::string call_cases_;
  long long failed_calls_ = 0;
};

}  // namespace evalrun
