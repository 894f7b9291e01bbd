// The README's job reference against the parser: every key the parser accepts is documented,
// every documented key is one the parser accepts, and the reference's example job (which sets
// every documented key) parses without a problem.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <sstream>

#include "job/job_parser.h"
#include "support/process.h"

using namespace evalrun;
using namespace evalrun::testing;

namespace {

/// The job reference of README.md, or of README.ja.md (kept in step by the same checks).
std::string Section(const std::string& file = "README.md") {
  const std::string readme = ReadFile(std::string(EVALRUN_SOURCE_DIR) + "/" + file);
  const std::string heading =
      file == "README.md" ? "\n## Job reference\n" : "\n## ジョブ リファレンス\n";
  const size_t start = readme.find(heading);
  INFO(file << " has no section " << heading);
  REQUIRE(start != std::string::npos);
  const size_t end = readme.find("\n## ", start + 1);
  return readme.substr(start, end - start);
}

/// The first cell of each table row: "| `endpoint.base_url` | ..." -> endpoint.base_url.
std::set<std::string> DocumentedKeys(const std::string& section) {
  std::set<std::string> keys;
  std::istringstream in(section);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const size_t close = line.find('`', 3);
    keys.insert(line.substr(3, close - 3));
  }
  return keys;
}

std::string ExampleYaml(const std::string& section) {
  const size_t start = section.find("```yaml\n");
  REQUIRE(start != std::string::npos);
  const size_t end = section.find("```", start + 8);
  return section.substr(start + 8, end - start - 8);
}

/// Whether the YAML sets `path` ("models[].pricing.input_per_mtok": in any element of models).
bool Sets(const YAML::Node& node, const std::string& path) {
  const size_t dot = path.find('.');
  std::string head = path.substr(0, dot);
  const std::string rest = dot == std::string::npos ? "" : path.substr(dot + 1);
  const bool each = head.size() > 2 && head.compare(head.size() - 2, 2, "[]") == 0;
  if (each) head.resize(head.size() - 2);
  if (!node.IsMap() || !node[head]) return false;
  const YAML::Node child = node[head];
  if (rest.empty()) return true;
  if (!each) return Sets(child, rest);
  for (const auto& element : child) {
    if (Sets(element, rest)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the README documents exactly the job keys the parser accepts", "[readme]") {
  const auto documented = DocumentedKeys(Section());
  const auto known = KnownJobKeys();
  REQUIRE(documented.size() > 40);
  for (const auto& key : known) {
    INFO("the parser accepts " << key << ", the README's job reference does not list it");
    CHECK(documented.count(key) == 1);
  }
  for (const auto& key : documented) {
    INFO("the README lists " << key << ", the parser does not accept it");
    CHECK(std::find(known.begin(), known.end(), key) != known.end());
  }
}

TEST_CASE("the README's example job sets every documented key and parses", "[readme]") {
  const std::string section = Section();
  const std::string yaml = ExampleYaml(section);
  const YAML::Node root = YAML::Load(yaml);
  for (const auto& key : DocumentedKeys(section)) {
    INFO(key << " is documented but the example does not set it");
    CHECK(Sets(root, key));
  }
  TempDir dir;  // the files the example names
  dir.Write("arith.jsonl", "{\"id\": 1, \"question\": \"What is 1 + 1?\", \"answer\": \"2\"}\n");
  dir.Write("reading.jsonl",
            "{\"id\": 1, \"passage_id\": \"p1\", \"question\": \"Who?\", \"answer\": \"Ann\"}\n");
  dir.Write("pricing.yaml", "models: {}\n");
  dir.Write("answer.schema.json", "{\"type\": \"object\"}\n");
  dir.Write("ca.pem", "");
  std::filesystem::create_directories(dir.path() + "/tokenizers/llama-3.3");
  dir.Write("tokenizers/llama-3.3/tokenizer.json", "{}");
  JobParseResult parsed = ParseJobText(yaml, dir.path() + "/job.yaml");
  std::string problems;
  for (const auto& p : parsed.problems) problems += p.ToString() + "\n";
  INFO(problems);
  CHECK(parsed.ok());
}

TEST_CASE("README.ja.md's job reference lists the same keys and its example parses", "[readme]") {
  const std::string ja = Section("README.ja.md");
  CHECK(DocumentedKeys(ja) == DocumentedKeys(Section()));
  // The same example job, so a reader of either README copies one that parses.
  CHECK(ExampleYaml(ja) == ExampleYaml(Section()));
  const std::string readme = ReadFile(std::string(EVALRUN_SOURCE_DIR) + "/README.ja.md");
  for (const char* part :
       {"## 二つのコマンド", "## 五分間ツアー", "scripts/demo.sh", "scripts/test.sh"})
    CHECK_THAT(readme, Catch::Contains(part));
}
