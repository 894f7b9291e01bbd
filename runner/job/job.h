// Job: the validated, typed form of a job file (CONTRACT.md "Job file"). Built once by ParseJob and
// read, never changed, by every later stage. Paths inside are already resolved against the job
// file.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json_schema.h"
#include "common/regex.h"

namespace evalrun {

/// Request-body keys in file order; each value is already JSON text, spliced into requests as is.
using JsonParams = std::vector<std::pair<std::string, std::string>>;

/// `over` wins key by key; order of first appearance is kept so request bodies are stable.
JsonParams MergeParams(const JsonParams& base, const JsonParams& over);

struct Pricing {
  double input_per_mtok = 0;   // USD per 1M prompt tokens
  double output_per_mtok = 0;  // USD per 1M completion tokens
  // USD per 1M prompt tokens served from the provider's prompt cache
  // (usage.prompt_tokens_details.cached_tokens); unset: they cost input_per_mtok.
  std::optional<double> cached_input_per_mtok = {};
  std::string as_of = {};  // when the price was read, and where: prices change
  std::string source = {};
};

struct ModelSpec;

/// params.max_completion_tokens, else params.max_tokens, of a model: what bounds a call's
/// completion, thinking and answer together (as the servers apply it); 0 when it has none.
long long MaxTokens(const ModelSpec& model);

/// Whether the model's params set both max_tokens and max_completion_tokens (then the latter
/// wins: the loader says so).
bool SetsBothTokenBounds(const ModelSpec& model);

/// endpoint.http: `auto` (HTTP/2 over TLS when offered), `"1.1"`, `"2"`.
enum class HttpVersion { kAuto, k1_1, k2 };

/// scoring[].target.
enum class ScoreTarget { kContent, kToolArguments };

/// scoring[].type.
enum class ScorerType { kExact, kContains, kRegex, kJson, kNumber, kJudge };

/// output.formats: the reports beside summary.json.
enum class ReportFormat { kJson, kMd, kCsv, kJunit, kHtml };

struct Endpoint {
  std::string base_url = "https://api.inference.wandb.ai/v1";
  std::string api_key_env;  // empty: WANDB_API_KEY, then OPENAI_API_KEY
  std::string project;      // sent as OpenAI-Project when set
  std::vector<std::pair<std::string, std::string>> headers;
  double timeout_s = 120;
  double connect_timeout_s = 10;
  HttpVersion http = HttpVersion::kAuto;
  std::string ca_bundle;  // resolved path, empty for the system store
};

struct ModelSpec {
  std::string id;
  std::string label;  // defaults to id
  JsonParams params;  // already merged over the job's params
  std::optional<Pricing> pricing;
  /// It reasons before it answers (W&B's thinking models): a reference answer says nothing of
  /// its completion's length, so a first estimate takes half of its token bound instead.
  bool thinks = false;
  /// A Hugging Face tokenizer.json, or a directory holding it and tokenizer_config.json, that the
  /// estimate counts this model's tokens with (else the hub cache's, else the rule). Estimate only:
  /// not part of the run's plan.
  std::string tokenizer = {};
};

enum class DatasetFormat { kAuto, kChat, kFields, kOpenAiBatch };

struct DatasetSpec {
  std::string path;        // resolved against the job file
  std::string given_path;  // as written, for messages
  std::string name;        // default: file stem
  DatasetFormat format = DatasetFormat::kAuto;
  std::optional<long long> limit;
  std::string id_field = "id";
  /// A row field naming the row's group (a passage, a document): standard errors are then
  /// cluster-robust, since rows of one group are not independent. Empty: every row on its own.
  std::string cluster_field;
};

struct PromptSpec {
  std::string system;
  std::string template_text;  // empty: rows must carry messages
};

struct RetrySpec {
  int max_attempts = 4;
  int initial_backoff_ms = 500;
  int max_backoff_ms = 30000;
  /// A model whose calls end this many times in a row (in finishing order) with the same 4xx that
  /// no retry mends (400, 404, 422) and the same message is stopped; 0 never stops one.
  int stop_after_same_error = 5;
};

struct RateLimitSpec {
  double requests_per_minute = 0;
  double tokens_per_minute = 0;
};

/// A judge scorer's model and what it is asked: every ok graded call gets one judge call, whose
/// verdict (read by scoring/judge_verdict) is the score, scaled from `scale` to 0..1.
struct JudgeSpec {
  ModelSpec model;  // id at the job's endpoint; label = the scorer's name; own params
  std::string rubric;
  std::string template_text;  // the whole judge prompt; empty: kDefaultJudgeTemplate
  double scale_lo = 0, scale_hi = 1;
};

/// The judge prompt without a template: the question, the reference when there is one, the
/// answer and the rubric, asking for a JSON verdict within the scale.
std::string DefaultJudgeTemplate(const JudgeSpec& judge, bool with_reference);

struct ScorerSpec {
  ScorerType type = ScorerType::kExact;
  std::string field;         // the row's reference field ("" for json without a reference)
  std::string name;          // defaults to type
  bool ignore_case = false;  // exact, contains, regex
  std::string pattern;       // regex: used instead of the reference field
  std::vector<std::string> required_keys;  // json
  double tolerance = 1e-6;                 // number: absolute
  /// What is scored: the answer's content, or the first tool call's arguments.
  ScoreTarget target = ScoreTarget::kContent;
  std::string schema_path;           // json: a JSON Schema file the answer must satisfy
  std::optional<JsonSchema> schema;  // compiled when the job is loaded
  std::optional<JudgeSpec> judge;    // type judge
  std::string json;                  // the whole entry as JSON, for the manifest
  /// `pattern` compiled when the job is loaded (a bad one is a job error there, not a throw later).
  std::optional<Regex> compiled;
};

struct GateSpec {
  std::optional<double> max_error_rate;
  std::optional<double> min_score;
  std::optional<double> max_p95_latency_ms;
  std::optional<double> max_cost_usd;
};

struct OutputSpec {
  std::string dir = "reports/{name}/{timestamp}";  // relative to the job file unless --out
  std::vector<ReportFormat> formats = {ReportFormat::kJson, ReportFormat::kMd, ReportFormat::kCsv,
                                       ReportFormat::kJunit, ReportFormat::kHtml};
  bool save_responses = true;
};

struct Job {
  std::string file;      // as the user gave it
  std::string base_dir;  // directory of the job file, for relative paths
  std::string name;
  Endpoint endpoint;
  std::vector<ModelSpec> models;
  /// The job lists no models: each openai-batch row goes to its own body.model. `models` is then
  /// filled from the rows by the dataset scan (AddModelsFromRows) before anything is planned.
  bool models_from_rows = false;
  std::vector<DatasetSpec> datasets;
  PromptSpec prompt;
  JsonParams params;
  bool stream = false;
  int repeats = 1;
  int concurrency = 16;
  bool adaptive_concurrency = true;  // halve the window on 429, grow it back on success
  RateLimitSpec rate_limit;
  RetrySpec retry;
  std::vector<ScorerSpec> scoring;
  GateSpec gates;
  std::optional<double> budget_usd;
  std::string pricing_file;
  OutputSpec output;
  bool cache = true;
  /// compare.baseline: a model label; comparisons are then each model against it, not every pair.
  std::string compare_baseline;
};

/// The models a run sends calls to: the graded ones, then each judge scorer's.
std::vector<const ModelSpec*> CalledModels(const Job& job);

}  // namespace evalrun
