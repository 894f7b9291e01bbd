#include "support/e2e_job.h"

#include <filesystem>

namespace evalrun::testing {

std::string ArithRows(int n) {
  std::string rows;
  for (int i = 1; i <= n; ++i) {
    rows += "{\"id\": \"q" + std::to_string(i) + "\", \"question\": \"What is " +
            std::to_string(i) + " + " + std::to_string(2 * i) + "?\", \"answer\": \"" +
            std::to_string(3 * i) + "\"}\n";
    if (i % 10 == 0) rows += "\n";  // blank lines are skipped
  }
  return rows;
}

std::string E2eJob(const std::string& base_url, const std::string& extra) {
  return "name: e2e\n"
         "endpoint:\n  base_url: " +
         base_url +
         "\n  api_key_env: E2E_KEY\n  timeout_s: 20\n"
         "models:\n  - id: mock-small\n    pricing: {input_per_mtok: 1.0, output_per_mtok: 2.0}\n  "
         "- mock-large\n"
         "datasets:\n  - path: arith.jsonl\n  - path: chat.jsonl\n"
         "prompt:\n  system: Answer with the number only.\n  template: \"{{question}}\"\n"
         "params: {temperature: 0, max_tokens: 32}\n"
         "scoring: [{type: exact, field: answer}]\n"
         "concurrency: 8\n" +
         extra;
}

void WriteDatasets(const TempDir& dir, int arith_rows) {
  dir.Write("arith.jsonl", ArithRows(arith_rows));
  dir.Write(
      "chat.jsonl",
      "{\"id\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"日本語で挨拶して 🚀\"}]}\n"
      "{\"id\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"Write a long poem.\"}]}\n");
}

std::string AllFiles(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += ReadFile(e.path().string());
  }
  return all;
}

}  // namespace evalrun::testing
