#include "report/report_files.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "common/files.h"
#include "report/junit_xml.h"
#include "report/report_html.h"
#include "report/report_md.h"
#include "report/results_csv.h"
#include "report/summary_json.h"

namespace evalrun {

Status WriteReports(const std::string& run_dir, const std::string& out_dir, const Summary& summary,
                    const std::vector<std::string>& formats) {
  // summary.json is what `report`, gates and CI read: written whatever `formats` says.
  if (Status s = WriteFileAtomic(out_dir + "/summary.json", SummaryToJson(summary)); !s.ok())
    return s;
  const std::string results = run_dir + "/results.jsonl";
  for (const auto& f : formats) {
    Status s;
    if (f == "json") continue;
    if (f == "md") {
      const std::string md = SummaryToMarkdown(summary);
      s = WriteFileAtomic(out_dir + "/report.md", md);
      // In a GitHub Actions step, the comparison shows on the run's page too.
      if (const char* step = std::getenv("GITHUB_STEP_SUMMARY"); s.ok() && step && *step) {
        if (std::FILE* out = std::fopen(step, "ab")) {
          std::fwrite(md.data(), 1, md.size(), out);
          std::fclose(out);
        }
      }
    } else if (f == "csv") {
      std::set<std::string> names;
      for (const auto& g : summary.groups) {
        for (const auto& [name, v] : g.scores) names.insert(name);
      }
      s = WriteResultsCsv(results, out_dir + "/results.csv", {names.begin(), names.end()});
    } else if (f == "html") {
      s = WriteFileAtomic(out_dir + "/report.html", SummaryToHtml(summary));
    } else if (f == "junit") {
      s = WriteJunitXml(results, out_dir + "/junit.xml", summary);
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace evalrun
