#include "report/junit_xml.h"

#include <fmt/format.h>

#include "common/files.h"

namespace evalrun {

void JunitXmlWriter::Add(const CallRecord& r) {
  if (r.ok() || r.skipped) return;  // a skipped call is its model's stop, one case below
  ++failed_calls_;
  call_cases_ += fmt::format(
      R"(  <testcase classname="evalrun.calls.{}" name="{}/{}#{}"><failure type="{}" message="{}"/></testcase>)"
      "\n",
      XmlEscape(r.model), XmlEscape(r.dataset), XmlEscape(r.row_id), r.repeat,
      ErrorKindName(r.error_kind), XmlEscape(r.error));
}

Status JunitXmlWriter::Write(const std::string& xml_path, const Summary& summary) const {
  std::string gate_cases;
  long long tests = failed_calls_, failures = failed_calls_;
  for (const GateResult& g : summary.gates) {
    ++tests;
    gate_cases += fmt::format(R"(  <testcase classname="evalrun.gates" name="{} {}">)",
                              XmlEscape(g.name), XmlEscape(g.model));
    if (!g.passed) {
      ++failures;
      const std::string value = g.value ? fmt::format("{:.6g}", *g.value) : "unknown";
      gate_cases += fmt::format(R"(<failure message="{} = {}, threshold {}"/>)", XmlEscape(g.name),
                                value, g.threshold);
    }
    gate_cases += "</testcase>\n";
  }
  for (const ModelSummary& m : summary.models) {
    if (m.skipped == 0) continue;
    ++tests;
    ++failures;
    gate_cases += fmt::format(
        R"(  <testcase classname="evalrun.models" name="{} stopped"><failure type="stopped" )"
        R"(message="{}; {} calls not sent"/></testcase>)"
        "\n",
        XmlEscape(m.model), XmlEscape(m.stopped), m.skipped);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(R"(<testsuites name="evalrun" tests="{}" failures="{}">)"
                     "\n",
                     tests, failures);
  xml += fmt::format(R"(<testsuite name="{}" tests="{}" failures="{}" time="{:.3f}">)"
                     "\n",
                     XmlEscape(summary.run.job), tests, failures, summary.run.wall_s);
  xml += gate_cases;
  xml += call_cases_;
  xml += "</testsuite>\n</testsuites>\n";
  return WriteFileAtomic(xml_path, xml);
}

}  // namespace evalrun
