// The default judge prompt. Its section headings are part of the contract with judge models
// that read them (the mock's mock-judge does): change them and the mock with them.
#include <fmt/format.h>

#include "job/job.h"

namespace evalrun {

std::string DefaultJudgeTemplate(const JudgeSpec& judge, bool with_reference) {
  std::string t = "You are grading an answer to a question.\n\nQuestion:\n{{prompt}}\n\n";
  if (with_reference) t += "Reference answer:\n{{reference}}\n\n";
  t += "Answer to grade:\n{{response}}\n\n";
  t += fmt::format(
      "Rubric: {}\n\nReply with a JSON object {{\"score\": N, \"reason\": \"...\"}} where N is a "
      "number from {:g} (the answer does not meet the rubric) to {:g} (it fully does).",
      judge.rubric, judge.scale_lo, judge.scale_hi);
  return t;
}

std::vector<const ModelSpec*> CalledModels(const Job& job) {
  std::vector<const ModelSpec*> out;
  for (const ModelSpec& m : job.models) out.push_back(&m);
  for (const ScorerSpec& s : job.scoring) {
    if (s.judge) out.push_back(&s.judge->model);
  }
  return out;
}

}  // namespace evalrun
