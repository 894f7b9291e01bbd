// `evalrun run`: job -> checked datasets -> run directory -> calls -> records -> reports.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_loading.h"
#include "cli/progress_printer.h"
#include "cli/run_directory.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/json_limits.h"
#include "common/text.h"
#include "dataset/dataset_scan.h"
#include "engine/call_planner.h"
#include "engine/curl_transport.h"
#include "engine/run_loop.h"
#include "job/job_json.h"
#include "money/pricing.h"
#include "report/gates.h"
#include "report/report_files.h"
#include "report/summary.h"
#include "results/manifest.h"
#include "results/prior_results.h"
#include "results/response_cache.h"
#include "results/results_writer.h"

namespace evalrun {
namespace {

std::atomic<int> g_stop_request{0};
// Woken from the signal handler so a stop request is seen at once, not at the next poll timeout.
// Wakeup() only stores an atomic flag and writes to the transport's eventfd: async-signal-safe.
std::atomic<Transport*> g_transport{nullptr};

void OnStopSignal(int) {
  g_stop_request.fetch_add(1);
  if (Transport* t = g_transport.load()) t->Wakeup();
}

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

/// Every finished call: appended to results.jsonl and shown as progress. The reports are built
/// from results.jsonl once the calls are done, as `evalrun report` builds them.
class RunSink : public RecordSink {
 public:
  RunSink(ResultsWriter& writer, ProgressPrinter& progress)
      : writer_(writer), progress_(progress) {}
  Status OnRecord(const CallRecord& r) override {
    if (Status s = writer_.Append(r); !s.ok()) return s;
    progress_.OnCall(r.ok(), r.usage ? r.usage->completion_tokens : 0, KnownCostUsd(r),
                     UsageMissing(r));
    return Status::Ok();
  }

 private:
  ResultsWriter& writer_;
  ProgressPrinter& progress_;
};

/// A budget can only hold if every call's worst case is known: a price and a max_tokens.
bool CheckBudget(const Job& job, const PricingTable& pricing) {
  if (!job.budget_usd) return true;
  bool ok = true;
  for (const auto& m : job.models) {
    if (!PriceFor(m, pricing)) {
      fmt::print(stderr,
                 "{}: budget_usd needs a price for model '{}' (models[].pricing or pricing_file)\n",
                 job.file, m.id);
      ok = false;
    }
    if (MaxTokens(m) <= 0) {
      fmt::print(
          stderr,
          "{}: budget_usd needs params.max_tokens for model '{}' to bound what a call can cost\n",
          job.file, m.id);
      ok = false;
    }
  }
  return ok;
}

/// One GET /models before any call: a bad key or a misspelt model costs nothing. Returns an exit
/// status to stop with, or nullopt to go on.
std::optional<int> Preflight(const Job& job, const TransportOptions& opts,
                             const std::string& api_key) {
  const std::string url = job.endpoint.base_url + "/models";
  auto got = HttpGet(opts, url);
  if (!got.ok() || got->curl_code != 0) {
    fmt::print(stderr, "error: GET {}: {} (nothing was sent)\n", url,
               got.ok() ? got->curl_error : got.status().message());
    return kExitStopped;
  }
  const long status = got->status;
  if (status == 401 || status == 402 || status == 403) {
    fmt::print(stderr, "error: the API answered {} to GET {}: {} (nothing was sent)\n", status, url,
               Redact(ApiErrorMessage(got->body), api_key));
    return kExitStopped;
  }
  if (status != 200) {
    fmt::print(stderr, "warning: GET {} answered {}; model ids are not checked before the run\n",
               url, status);
    return std::nullopt;
  }
  auto ids = ParseModelList(got->body);
  if (!ids.ok()) {
    fmt::print(stderr, "warning: GET {}: {}; model ids are not checked before the run\n", url,
               ids.status().message());
    return std::nullopt;
  }
  if (ids->empty()) {
    // Some OpenAI-compatible servers list nothing: nothing to check the ids against.
    fmt::print(stderr,
               "warning: GET {} lists no models; model ids are not checked before the run\n", url);
    return std::nullopt;
  }
  bool missing = false;
  for (const auto& m : job.models) {
    if (std::find(ids->begin(), ids->end(), m.id) != ids->end()) continue;
    std::string available;
    for (const auto& id : ids.value()) available += "\n  " + id;
    fmt::print(stderr, "{}: model '{}' is not offered by {}; available:{}\n", job.file, m.id,
               job.endpoint.base_url, available);
    missing = true;
  }
  if (missing) return kExitBadInput;
  return std::nullopt;
}

/// Checks that `dir` holds a run of this same plan and loads what it finished. The manifest keeps
/// the original run id and start.
int Resume(const std::string& dir, Manifest* manifest, PriorResults* prior, double* prior_wall_s) {
  auto info = ReadManifest(dir);
  if (!info.ok()) {
    fmt::print(stderr, "error: cannot resume: {}\n", info.status().message());
    return kExitBadInput;
  }
  auto changes = PlanChanges(info->plan_json, manifest->plan_json);
  if (info->shard != manifest->shard) {
    changes.push_back(fmt::format("it ran shard {} and this is shard {}",
                                  info->shard.empty() ? "(none)" : info->shard,
                                  manifest->shard.empty() ? "(none)" : manifest->shard));
  }
  if (!changes.empty()) {
    for (const auto& c : changes) fmt::print(stderr, "error: cannot resume {}: {}\n", dir, c);
    fmt::print(stderr, "(nothing was sent; start a new run instead)\n");
    return kExitBadInput;
  }
  auto loaded = LoadPriorResults(dir + "/results.jsonl", /*repair=*/true);
  if (!loaded.ok()) {
    fmt::print(stderr, "error: cannot resume: {}\n", loaded.status().message());
    return kExitBadInput;
  }
  *prior = std::move(loaded.value());
  manifest->run_id = info->run_id;
  manifest->started_at = info->started_at;
  if (auto summary = ReadWholeFile(dir + "/summary.json"); summary.ok()) {
    rapidjson::Document d;
    if (ParseBoundedJson(summary.value(), &d) && d.IsObject() && d.HasMember("wall_s") &&
        d["wall_s"].IsNumber()) {
      *prior_wall_s = d["wall_s"].GetDouble();
    }
  }
  fmt::print(stderr, "resuming {}: {} calls already ok{}\n", dir, prior->ok.size(),
             prior->skipped_lines > 0 ? ", a torn last line dropped" : "");
  return kExitOk;
}

}  // namespace

int RunCommand(const RunArgs& args) {
  ProgressMode progress_mode;
  if (!ParseProgressMode(args.progress, &progress_mode)) {
    fmt::print(stderr, "error: --progress must be auto, bar, lines or none\n");
    return kExitBadInput;
  }
  // Command-line overrides are job keys like any --set, applied before the job is checked, so the
  // manifest records the job that really ran.
  std::vector<std::string> sets = args.sets;
  if (args.concurrency) sets.push_back(fmt::format("concurrency={}", *args.concurrency));
  if (args.no_cache) sets.push_back("cache=false");
  std::optional<Job> loaded = LoadJobOrReport(args.job_file, sets);
  if (!loaded) return kExitBadInput;
  Job& job = *loaded;
  if (args.limit) {
    for (DatasetSpec& ds : job.datasets) ds.limit = EffectiveLimit(ds, args.limit);
  }

  PricingTable pricing;
  if (LoadPricingOrReport(job, &pricing) > 0) return kExitBadInput;
  Shard shard;
  if (!ParseShardOrReport(args.shard, &shard)) return kExitBadInput;
  DatasetPlan plan;
  if (ScanJobDatasets(&job, args.limit, shard, 100, /*hash=*/true, &plan) > 0) return kExitBadInput;
  if (!CheckBudget(job, pricing)) return kExitBadInput;  // after the scan: it may add models
  if (shard.all()) WarnEmptyDatasets(job, plan);         // a shard's share may be empty by chance
  if (plan.calls == 0) {
    fmt::print(stderr, "error: {}: nothing to run: the job plans no call ({})\n", job.file,
               EmptyPlanReason(job, plan, shard));
    return kExitBadInput;
  }
  if (args.dry_run) {
    return PrintEstimate(job, pricing, args.limit, shard, {}, /*json=*/false) ? kExitOk
                                                                              : kExitBadInput;
  }
  std::string searched;
  const std::string api_key = FindApiKey(job.endpoint, &searched);
  if (api_key.empty()) {
    fmt::print(stderr, "error: no API key: set {} (an empty variable counts as unset)\n", searched);
    return kExitBadInput;
  }

  RaiseFileLimit();
  TransportOptions topts = TransportOptionsFor(job.endpoint, api_key);
  topts.max_in_flight = job.concurrency;
  // A stream that goes quiet this long is stalled; a whole non-streamed answer may take longer.
  if (job.stream) topts.stall_timeout_s = std::min(job.endpoint.timeout_s, 60.0);
  if (auto stop = Preflight(job, topts, api_key)) return *stop;

  const SystemTime started = std::chrono::system_clock::now();
  const auto started_steady = std::chrono::steady_clock::now();
  Manifest manifest;
  manifest.run_id = MakeRunId(job, started);
  // Derived now: --limit and the models an openai-batch scan found are part of the job that runs.
  manifest.job_json = EffectiveJobJson(job);
  manifest.datasets = plan.datasets;
  manifest.planned_calls = plan.calls;
  manifest.started_at = Rfc3339Ms(started);
  manifest.plan_json = PlanJson(job, plan.datasets);
  if (!shard.all()) manifest.shard = shard.ToString();
  const bool resuming = !args.resume_dir.empty();
  const std::string dir = resuming ? args.resume_dir : ResolveRunDir(job, args.out_dir, started);
  PriorResults prior;
  double prior_wall_s = 0;
  if (resuming) {
    auto resumed = Resume(dir, &manifest, &prior, &prior_wall_s);
    if (resumed != kExitOk) return resumed;
  } else if (std::error_code ec; std::filesystem::exists(dir + "/results.jsonl", ec) || ec) {
    if (ec) {
      fmt::print(stderr, "error: --out {}: {}\n", dir, ec.message());
      return kExitBadInput;
    }
    fmt::print(
        stderr,
        "error: {} already holds a run; continue it with --resume {} or choose another --out\n",
        dir, dir);
    return kExitBadInput;
  }
  if (Status s = MakeDirs(dir); !s.ok()) {
    fmt::print(stderr, "error: {}\n", s.message());
    return kExitBadInput;
  }
  ResultsWriter writer;
  Status io = WriteFileAtomic(dir + "/manifest.json", ManifestToJson(manifest));
  if (io.ok()) io = writer.Open(dir + "/results.jsonl");
  if (!io.ok()) {
    fmt::print(stderr, "error: {}\n", io.message());
    return kExitBadInput;
  }

  auto transport = CurlTransport::Create(topts);
  if (!transport.ok()) {
    fmt::print(stderr, "error: {}\n", transport.status().message());
    return kExitStopped;
  }

  RunLoopOptions lopts;
  lopts.run_id = manifest.run_id;
  lopts.chat_url = job.endpoint.base_url + "/chat/completions";
  lopts.concurrency = job.concurrency;
  lopts.adaptive_concurrency = job.adaptive_concurrency;
  lopts.retry = job.retry;
  lopts.save_responses = job.output.save_responses;
  lopts.api_key = api_key;
  for (const auto& m : job.models) {
    lopts.prices.push_back(PriceFor(m, pricing));
    lopts.max_tokens.push_back(MaxTokens(m));
  }
  lopts.budget_usd = job.budget_usd;
  lopts.rate_limit = job.rate_limit;
  std::optional<ResponseCache> cache;
  if (job.cache && !args.no_cache && !ResponseCache::DefaultDir().empty()) {
    cache.emplace(ResponseCache::DefaultDir());
    lopts.cache = &*cache;
    lopts.base_url = job.endpoint.base_url;
    for (const auto& m : job.models)
      lopts.cache_models.push_back(ResponseCache::Cacheable(m.params));
  }
  lopts.stop_request = &g_stop_request;
  lopts.seed = std::random_device{}();  // back-off jitter: independent across runs and machines
  g_transport = transport->get();
  InstallStopHandlers();

  ProgressPrinter progress(progress_mode, plan.calls - static_cast<long long>(prior.ok.size()));
  RunSink sink(writer, progress);
  CallPlanner planner(job, args.limit, &prior.ok, shard);
  RunOutcome outcome;
  g_calls_sent = true;
  try {
    outcome = RunPlan(job, planner, **transport, sink, lopts);
  } catch (const std::exception& e) {
    // Every finished call is already in results.jsonl: stop, and still write the reports.
    outcome.stop_reason = fmt::format("internal error: {}", e.what());
  }
  g_transport = nullptr;
  progress.Finish();
  io = writer.Close();

  const SystemTime finished = std::chrono::system_clock::now();
  RunInfo info{manifest.run_id,
               job.name,
               manifest.started_at,
               Rfc3339Ms(finished),
               prior_wall_s + MsBetween(started_steady, std::chrono::steady_clock::now()) / 1000.0,
               outcome.stop_reason,
               job.concurrency,
               outcome.concurrency_min,
               outcome.retries};
  manifest.finished_at = info.finished_at;
  // A resumed run's reports cover the whole run: every call's latest record, old and new.
  Summary built;
  if (io.ok()) {
    auto written = WriteReports({dir, dir, job.output.formats, ScoreNames(job.scoring), info,
                                 job.gates, /*may_repeat=*/resuming, GithubStepSummary()});
    if (written.ok())
      built = std::move(written->summary);
    else
      io = written.status();
  }
  if (io.ok()) io = WriteFileAtomic(dir + "/manifest.json", ManifestToJson(manifest));
  if (!io.ok()) fmt::print(stderr, "error: {}\n", io.message());
  if (!outcome.status.ok()) fmt::print(stderr, "error: {}\n", outcome.status.message());
  if (outcome.cached > 0) {
    fmt::print(stderr, "{} calls answered from the response cache (--no-cache sends them)\n",
               outcome.cached);
  }
  if (!outcome.stop_reason.empty()) {
    fmt::print(stderr, "stopped early: {} ({} calls finished, {} abandoned in flight)\n",
               outcome.stop_reason, outcome.finished, outcome.abandoned);
  }
  for (const auto& g : built.gates) {
    if (g.passed) continue;
    fmt::print(stderr, "gate failed: {} for {}: {} (threshold {})\n", g.name, g.model,
               g.value ? fmt::format("{:.6g}", *g.value) : std::string("unknown"), g.threshold);
  }
  fmt::print("reports: {}\n", dir);
  if (!outcome.stop_reason.empty() || !io.ok()) return kExitStopped;
  if (NoCallSucceeded(built)) {
    // CI must not go green when every call failed, gates or none.
    fmt::print(stderr, "error: no call succeeded ({} calls)\n", built.totals.calls);
    return kExitGateFailed;
  }
  return AllPassed(built.gates) ? kExitOk : kExitGateFailed;
}

}  // namespace evalrun
