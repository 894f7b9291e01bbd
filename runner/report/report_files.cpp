#include "report/report_files.h"

#include <algorithm>

#include "common/files.h"
#include "report/report_md.h"
#include "report/summary_json.h"

namespace evalrun {

Status WriteReports(const std::string& dir, const Summary& summary,
                    const std::vector<std::string>& formats,
                    std::vector<std::string>* not_written) {
  // summary.json is what `report`, gates and CI read: written whatever `formats` says.
  if (Status s = WriteFileAtomic(dir + "/summary.json", SummaryToJson(summary)); !s.ok()) return s;
  for (const auto& f : formats) {
    if (f == "json") continue;
    if (f == "md") {
      if (Status s = WriteFileAtomic(dir + "/report.md", SummaryToMarkdown(summary)); !s.ok())
        return s;
      continue;
    }
    if (std::find(not_written->begin(), not_written->end(), f) == not_written->end())
      not_written->push_back(f);
  }
  return Status::Ok();
}

}  // namespace evalrun
