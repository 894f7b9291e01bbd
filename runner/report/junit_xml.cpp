#include "report/junit_xml.h"

#include <fmt/format.h>

#include "common/files.h"
#include "results/prior_results.h"

namespace evalrun {

Status WriteJunitXml(const std::string& results_path, const std::string& xml_path,
                     const Summary& summary) {
  std::string cases;
  long long tests = 0, failures = 0;
  for (const GateResult& g : summary.gates) {
    ++tests;
    cases += fmt::format(R"(  <testcase classname="evalrun.gates" name="{} {}">)",
                         XmlEscape(g.name), XmlEscape(g.model));
    if (!g.passed) {
      ++failures;
      const std::string value = g.value ? fmt::format("{:.6g}", *g.value) : "unknown";
      cases += fmt::format(R"(<failure message="{} = {}, threshold {}"/>)", XmlEscape(g.name),
                           value, g.threshold);
    }
    cases += "</testcase>\n";
  }
  auto read = ForEachLatestRecord(results_path, [&](const CallRecord& r) {
    if (r.ok()) return;
    ++tests;
    ++failures;
    cases += fmt::format(
        R"(  <testcase classname="evalrun.calls.{}" name="{}/{}#{}"><failure type="{}" message="{}"/></testcase>)"
        "\n",
        XmlEscape(r.model), XmlEscape(r.dataset), XmlEscape(r.row_id), r.repeat,
        ErrorKindName(r.error_kind), XmlEscape(r.error));
  });
  if (!read.ok()) return read.status();
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(R"(<testsuites name="evalrun" tests="{}" failures="{}">)"
                     "\n",
                     tests, failures);
  xml += fmt::format(R"(<testsuite name="{}" tests="{}" failures="{}" time="{:.3f}">)"
                     "\n",
                     XmlEscape(summary.run.job), tests, failures, summary.run.wall_s);
  xml += cases;
  xml += "</testsuite>\n</testsuites>\n";
  return WriteFileAtomic(xml_path, xml);
}

}  // namespace evalrun
