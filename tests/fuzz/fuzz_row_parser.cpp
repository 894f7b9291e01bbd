// libFuzzer target: dataset rows (JSONL from users) in every format, then the request body built
// from them, which must be valid JSON whenever the row was accepted; the scan's parser (which
// builds no messages) must find the same problem, or none, as the planner's; and a row read
// without a DOM (FlatRow) must be the row the DOM makes, field for field.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/chat_request.h"
#include "api/prompt_tokens.h"
#include "dataset/row_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evalrun;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto scorer = [](ScorerType type, const char* field, const char* name) {
    ScorerSpec s;
    s.type = type;
    s.field = field;
    s.name = name;
    return s;
  };
  static const std::vector<ScorerSpec> scorers = {scorer(ScorerType::kExact, "answer", "exact"),
                                                  scorer(ScorerType::kNumber, "meta.n", "number")};
  static const std::vector<ScorerSpec> flat_scorers = {scorer(ScorerType::kExact, "answer", "e")};
  PromptSpec nested, flat;
  nested.system = flat.system = "sys";
  nested.template_text = "Q: {{question}} {{meta.level}}";
  flat.template_text = "{{question}} {{ id }}{{n}}";
  for (const PromptSpec* p : {&nested, &flat}) {
    const PromptSpec& prompt = *p;
    for (DatasetFormat f : {DatasetFormat::kAuto, DatasetFormat::kChat, DatasetFormat::kFields,
                            DatasetFormat::kOpenAiBatch}) {
      DatasetSpec ds;
      ds.given_path = "fuzz.jsonl";
      ds.name = "fuzz";
      ds.format = f;
      if (f == DatasetFormat::kFields) ds.cluster_field = p == &flat ? "c" : "meta.passage";
      const std::vector<ScorerSpec>* s = p == &flat ? &flat_scorers : &scorers;
      RowParser parser(ds, prompt, s);
      RowParser scan(ds, prompt, s, /*messages=*/false);
      Row row, scanned, dom;
      const auto problem = parser.Parse(text, 1, 0, &row);
      const auto scan_problem = scan.Parse(text, 1, 0, &scanned);
      const auto dom_problem = parser.ParseWithDocument(text, 1, 0, &dom);
      if (problem.has_value() != scan_problem.has_value()) std::abort();
      if (problem && problem->ToString() != scan_problem->ToString()) std::abort();
      if (problem.has_value() != dom_problem.has_value()) std::abort();
      if (problem && problem->ToString() != dom_problem->ToString()) std::abort();
      if (problem) continue;
      if (row.id != dom.id || row.cluster != dom.cluster ||
          row.messages_json != dom.messages_json || row.references != dom.references ||
          row.body_params != dom.body_params || row.body_model != dom.body_model ||
          row.judge_prompts != dom.judge_prompts)
        std::abort();
      if (scanned.id != row.id || scanned.body_model != row.body_model) std::abort();
      const std::string body = BuildChatBody("m", {{"temperature", "0"}}, row, true);
      rapidjson::Document d;
      d.Parse(body.c_str());
      if (d.HasParseError()) std::abort();  // an accepted row must make a valid request
      // The estimate counts an accepted row's prompt: at least the per-request framing.
      if (CountPromptTokens(std::string_view(row.messages_json)) < 3)
        std::abort();  // the per-call framing at least
    }
  }
  return 0;
}
