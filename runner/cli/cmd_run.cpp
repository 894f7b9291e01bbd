// `evalrun run`: job -> checked datasets -> run directory -> calls -> records -> reports.
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <system_error>
#include <thread>

#include "api/chat_request.h"
#include "api/chat_response.h"
#include "cli/command.h"
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
#include "report/record_tally.h"
#include "report/report_files.h"
#include "report/summary.h"
#include "results/manifest.h"
#include "results/prior_results.h"
#include "results/response_cache.h"
#include "results/results_writer.h"
#include "results/verdict_record.h"

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

/// Every finished call: appended to results.jsonl (one write per wake-up of the loop, before it
/// waits again), counted for progress and, in a fresh run without judges, fed to the reports'
/// tally, which then counts what `evalrun report` would count from the file.
class RunSink : public RecordSink {
 public:
  RunSink(ResultsWriter& writer, ResultsWriter& verdicts, ProgressPrinter& progress,
          RecordTally* tally)
      : writer_(writer), verdicts_(verdicts), progress_(progress), tally_(tally) {}
  Status OnRecord(const CallRecord& r) override {
    writer_.Append(r);
    if (tally_) tally_->Add(r);
    progress_.OnCall(r.ok(), r.usage ? r.usage->completion_tokens : 0, KnownCostUsd(r),
                     UsageMissing(r));
    return Status::Ok();
  }
  /// Saved as it arrives, as a record is: a resume sends no judge call whose verdict is here.
  Status OnVerdict(const VerdictRecord& v) override {
    verdicts_.AppendLine(VerdictToJson(v));
    return Status::Ok();
  }
  /// The loop is about to wait: what this wake-up finished goes to the files now, one write each.
  Status Flush() override {
    Status s = writer_.Flush();
    if (Status v = verdicts_.Flush(); s.ok()) s = v;
    progress_.Tick();
    return s;
  }

 private:
  ResultsWriter& writer_;
  ResultsWriter& verdicts_;
  ProgressPrinter& progress_;
  RecordTally* tally_;
};

bool HasJudges(const Job& job) {
  return std::any_of(job.scoring.begin(), job.scoring.end(),
                     [](const ScorerSpec& s) { return s.judge.has_value(); });
}

/// A budget can only hold if every call's worst case is known: a price and a max_tokens.
Status CheckBudget(const Job& job, const PricingTable& pricing) {
  if (!job.budget_usd) return Status::Ok();
  size_t problems = 0;
  for (const ModelSpec* model : CalledModels(job)) {
    const ModelSpec& m = *model;
    if (!PriceFor(m, pricing)) {
      fmt::print(stderr,
                 "{}: budget_usd needs a price for model '{}' (models[].pricing or pricing_file)\n",
                 job.file, m.id);
      ++problems;
    }
    if (MaxTokens(m) <= 0) {
      fmt::print(
          stderr,
          "{}: budget_usd needs params.max_tokens for model '{}' to bound what a call can cost\n",
          job.file, m.id);
      ++problems;
    }
  }
  if (problems == 0) return Status::Ok();
  return Status::InvalidInput(fmt::format("{}: budget_usd cannot be held", job.file));
}

struct RunArgs {
  std::string job_file;
  std::string out_dir;
  std::string resume_dir;  // --resume: continue the run in this directory
  std::string shard;       // --shard I/N
  bool no_cache = false;   // --no-cache
  std::vector<std::string> sets;
  long long limit = -1;  // --limit; -1: none
  int concurrency = 0;   // --concurrency; 0: the job's
  bool dry_run = false;
  std::string progress = "auto";
};

/// What the steps of a run share. Filled in order: the plan (the job, immutable from then on),
/// the key and transport settings, the run directory, then the outcome of sending.
struct RunContext {
  explicit RunContext(const RunArgs& a) : args(a) {}
  const RunArgs& args;
  ProgressMode progress_mode = ProgressMode::kLines;
  std::optional<long long> limit;
  std::optional<Job> loaded;
  PricingTable pricing;
  Shard shard;
  DatasetPlan plan;
  std::string api_key;
  TransportOptions transport;
  Manifest manifest;
  std::string dir;
  bool resuming = false;
  PriorResults prior;
  std::unordered_set<uint64_t> verdicts_done;  // VerdictKeys of the verdicts already saved
  std::unordered_map<uint64_t, std::string> judge_pending;  // done calls to judge: their answers
  double prior_wall_s = 0;
  SteadyTime started_steady;
  /// A fresh run without judges: what the reports need of each record, taken as it is written,
  /// so they are built without reading results.jsonl back (a resumed run's earlier records and
  /// a judge's verdicts are only in the files).
  std::optional<RecordTally> tally;

  const Job& job() const { return *loaded; }
};

/// Step 1: the job with every command-line override, the pricing table, the shard and every row
/// read (nothing is sent on a bad one).
Status PlanRun(RunContext& c) {
  const RunArgs& args = c.args;
  if (!ParseProgressMode(args.progress, &c.progress_mode))
    return Status::InvalidInput("--progress must be auto, bar, lines or none");
  if (args.limit >= 0) c.limit = args.limit;
  // Command-line overrides are job keys like any --set, applied before the job is checked, so the
  // manifest records the job that really ran.
  std::vector<std::string> sets = args.sets;
  if (args.concurrency > 0) sets.push_back(fmt::format("concurrency={}", args.concurrency));
  if (args.no_cache) sets.push_back("cache=false");
  auto job = LoadJob(args.job_file, sets);
  if (!job.ok()) return job.status();
  if (c.limit) {
    for (DatasetSpec& ds : job->datasets) ds.limit = EffectiveLimit(ds, c.limit);
  }
  auto pricing = LoadPricing(*job);
  if (!pricing.ok()) return pricing.status();
  c.pricing = std::move(pricing.value());
  auto shard = ParseShardFlag(args.shard);
  if (!shard.ok()) return shard.status();
  c.shard = *shard;
  auto plan = ScanJobDatasets(&*job, c.limit, c.shard, 100, /*hash=*/true);
  if (!plan.ok()) return plan.status();
  c.plan = std::move(plan.value());
  c.loaded.emplace(std::move(job.value()));  // the job as it runs: not changed from here on
  if (Status s = CheckBudget(c.job(), c.pricing); !s.ok()) return s;  // the scan may add models
  if (c.shard.all()) WarnEmptyDatasets(c.job(), c.plan);  // a shard's share may be empty by chance
  if (c.plan.calls == 0) {
    return Status::InvalidInput(fmt::format("{}: nothing to run: the job plans no call ({})",
                                            c.job().file,
                                            EmptyPlanReason(c.job(), c.plan, c.shard)));
  }
  return Status::Ok();
}

/// Step 2: the key, and one GET /models before any call, so a bad key or a misspelt model costs
/// nothing.
Status Preflight(RunContext& c) {
  const Job& job = c.job();
  std::string searched;
  c.api_key = FindApiKey(job.endpoint, &searched);
  if (c.api_key.empty())
    return Status::InvalidInput(
        fmt::format("no API key: set {} (an empty variable counts as unset)", searched));
  RaiseFileLimit();
  c.transport = TransportOptionsFor(job.endpoint, c.api_key);
  c.transport.max_in_flight = job.concurrency;
  // A stream that goes quiet this long is stalled; a whole non-streamed answer may take longer.
  if (job.stream) c.transport.stall_timeout_s = std::min(job.endpoint.timeout_s, 60.0);

  const std::string url = job.endpoint.base_url + "/models";
  auto got = HttpGet(c.transport, url);
  if (!got.ok() || got->curl_code != 0) {
    return Status::Network(fmt::format("GET {}: {} (nothing was sent)", url,
                                       got.ok() ? got->curl_error : got.status().message()));
  }
  const long status = got->status;
  if (status == 401 || status == 402 || status == 403) {
    return Status::Api(fmt::format("the API answered {} to GET {}: {} (nothing was sent)", status,
                                   url, Redact(ApiErrorMessage(got->body), c.api_key)));
  }
  // No /models, an answer that is not a list, or one that lists nothing (some servers): nothing
  // to check the ids against.
  auto unchecked = [&](const std::string& why) {
    fmt::print(stderr, "warning: GET {}{}; model ids are not checked before the run\n", url, why);
    return Status::Ok();
  };
  if (status != 200) return unchecked(fmt::format(" answered {}", status));
  auto ids = ParseModelList(got->body);
  if (!ids.ok()) return unchecked(": " + ids.status().message());
  if (ids->empty()) return unchecked(" lists no models");
  size_t missing = 0;
  for (const ModelSpec* model : CalledModels(job)) {  // a judge's model must be offered too
    const ModelSpec& m = *model;
    if (std::find(ids->begin(), ids->end(), m.id) != ids->end()) continue;
    // Models are retired (W&B's answer 404 from then on) or renamed: their family comes first.
    const std::vector<std::string> family = SharingPrefix(m.id, ids.value());
    std::string available;
    for (const auto& id : family.empty() ? ids.value() : family) available += "\n  " + id;
    fmt::print(stderr,
               "{}: model '{}' is not offered by {}: it may have been retired or renamed; {}:{}\n",
               job.file, m.id, job.endpoint.base_url,
               family.empty() ? "available" : "offered ids that share its prefix", available);
    ++missing;
  }
  if (missing > 0)
    return Status::InvalidInput(fmt::format("{}: {} model(s) not offered", job.file, missing));
  return Status::Ok();
}

/// What a resumed run must still judge: the verdicts saved, and the ok calls some judge has no
/// verdict for, with their answers (from results.jsonl: kept only while they wait for a judge).
Status LoadJudged(RunContext& c) {
  const Job& job = c.job();
  if (!HasJudges(job)) return Status::Ok();
  if (Status s = ForEachLatestVerdict(c.dir,
                                      [&](const VerdictRecord& v) {
                                        if (v.ok()) c.verdicts_done.insert(VerdictKey(v));
                                      });
      !s.ok())
    return s;
  long long unsaved = 0;
  auto read = ForEachLatestRecord(c.dir + "/results.jsonl", [&](const CallRecord& r) {
    if (!r.ok()) return;
    for (const ScorerSpec& s : job.scoring) {
      if (!s.judge ||
          c.verdicts_done.count(VerdictKey(r.model, r.dataset, r.row_id, r.repeat, s.name)))
        continue;
      if (r.response)
        c.judge_pending[CallKey(r)] = *r.response;
      else if (r.tool_calls)
        c.judge_pending[CallKey(r)] = *r.tool_calls;
      else
        ++unsaved;
      break;
    }
  });
  if (!read.ok()) return read.status();
  if (unsaved > 0)
    fmt::print(stderr,
               "warning: {} finished calls have no verdict and cannot be judged now: their answers "
               "were not saved (output.save_responses: false)\n",
               unsaved);
  if (!c.judge_pending.empty())
    fmt::print(stderr, "resuming: {} finished calls still to be judged\n", c.judge_pending.size());
  return Status::Ok();
}

/// Checks that `c.dir` holds a run of this same plan and loads what it finished. The manifest
/// keeps the original run id and start.
Status Resume(RunContext& c) {
  const std::string& dir = c.dir;
  auto info = ReadManifest(dir);
  if (!info.ok())
    return Status::InvalidInput(fmt::format("cannot resume: {}", info.status().message()));
  // A model with no ok call yet (one stopped for a rejected parameter, say) may be fixed in the
  // job before resuming: no answer of the old plan would be mixed with the new.
  auto before = LoadPriorResults(dir + "/results.jsonl", /*repair=*/false);
  if (!before.ok())
    return Status::InvalidInput(fmt::format("cannot resume: {}", before.status().message()));
  std::set<std::string> unanswered;
  for (const ModelSpec& m : c.job().models) {
    if (before->ok_models.count(m.label) == 0) unanswered.insert(m.label);
  }
  auto changes = PlanChanges(info->plan_json, c.manifest.plan_json, unanswered);
  if (info->shard != c.manifest.shard) {
    changes.push_back(fmt::format("it ran shard {} and this is shard {}",
                                  info->shard.empty() ? "(none)" : info->shard,
                                  c.manifest.shard.empty() ? "(none)" : c.manifest.shard));
  }
  if (!changes.empty()) {
    for (const auto& change : changes)
      fmt::print(stderr, "error: cannot resume {}: {}\n", dir, change);
    return Status::InvalidInput("nothing was sent; start a new run instead");
  }
  auto loaded = LoadPriorResults(dir + "/results.jsonl", /*repair=*/true);
  if (!loaded.ok())
    return Status::InvalidInput(fmt::format("cannot resume: {}", loaded.status().message()));
  c.prior = std::move(loaded.value());
  if (Status s = LoadJudged(c); !s.ok())
    return Status::InvalidInput(fmt::format("cannot resume: {}", s.message()));
  c.manifest.run_id = info->run_id;
  c.manifest.started_at = info->started_at;
  if (auto summary = ReadWholeFile(dir + "/summary.json"); summary.ok()) {
    rapidjson::Document d;
    if (ParseBoundedJson(summary.value(), &d) && d.IsObject() && d.HasMember("wall_s") &&
        d["wall_s"].IsNumber()) {
      c.prior_wall_s = d["wall_s"].GetDouble();
    }
  }
  fmt::print(stderr, "resuming {}: {} calls already ok{}\n", dir, c.prior.ok.size(),
             c.prior.skipped_lines > 0 ? ", a torn last line dropped" : "");
  return Status::Ok();
}

/// Step 3: the run directory (new, or the one to resume), its manifest and results.jsonl.
Status OpenRunDirectory(RunContext& c, ResultsWriter& writer, ResultsWriter& verdicts) {
  const Job& job = c.job();
  const SystemTime started = std::chrono::system_clock::now();
  c.started_steady = std::chrono::steady_clock::now();
  Manifest& m = c.manifest;
  m.run_id = MakeRunId(job, started);
  // Derived now: --limit and the models an openai-batch scan found are part of the job that runs.
  m.job_json = EffectiveJobJson(job);
  std::error_code ec;
  m.job_dir = std::filesystem::absolute(job.base_dir, ec).lexically_normal().string();
  m.datasets = c.plan.datasets;
  m.planned_calls = c.plan.calls;
  m.started_at = Rfc3339Ms(started);
  m.plan_json = PlanJson(job, c.plan.datasets);
  if (!c.shard.all()) m.shard = c.shard.ToString();
  c.resuming = !c.args.resume_dir.empty();
  c.dir = c.resuming ? c.args.resume_dir : ResolveRunDir(job, c.args.out_dir, started);
  if (c.resuming) {
    if (Status s = Resume(c); !s.ok()) return s;
  } else if (std::error_code ec; std::filesystem::exists(c.dir + "/results.jsonl", ec) || ec) {
    if (ec) return Status::InvalidInput(fmt::format("--out {}: {}", c.dir, ec.message()));
    return Status::InvalidInput(
        fmt::format("{} already holds a run; continue it with --resume {} or choose another --out",
                    c.dir, c.dir));
  }
  // Before any call, a directory that cannot be written is a bad --out, not a stopped run.
  Status io = MakeDirs(c.dir);
  if (io.ok()) io = WriteFileAtomic(c.dir + "/manifest.json", ManifestToJson(m));
  if (io.ok()) io = writer.Open(c.dir + "/results.jsonl");
  if (io.ok() && HasJudges(job)) io = verdicts.Open(c.dir + "/verdicts.jsonl");
  if (io.ok() && !c.resuming && !HasJudges(job)) {
    io = c.tally.emplace().Open(c.dir, job.output.formats, ScoreNames(job.scoring),
                                JudgeNames(job.scoring));
  }
  return io.ok() ? io : Status::InvalidInput(io.message());
}

/// Step 4: every planned call through the engine, each record appended as it finishes.
RunOutcome SendCalls(RunContext& c, ResultsWriter& writer, ResultsWriter& verdicts,
                     CurlTransport& transport) {
  const Job& job = c.job();
  RunLoopOptions lopts;
  lopts.run_id = c.manifest.run_id;
  lopts.chat_url = job.endpoint.base_url + "/chat/completions";
  lopts.concurrency = job.concurrency;
  lopts.adaptive_concurrency = job.adaptive_concurrency;
  lopts.retry = job.retry;
  lopts.save_responses = job.output.save_responses;
  lopts.api_key = c.api_key;
  std::optional<ResponseCache> cache;
  if (job.cache && !ResponseCache::DefaultDir().empty()) {
    cache.emplace(ResponseCache::DefaultDir());
    lopts.cache = &*cache;
    lopts.base_url = job.endpoint.base_url;
  }
  for (const auto& m : job.models) {
    lopts.models.push_back(
        {PriceFor(m, c.pricing), MaxTokens(m), cache && ResponseCache::Cacheable(m.params)});
  }
  for (size_t i = 0; i < job.scoring.size(); ++i) {
    const auto& judge = job.scoring[i].judge;
    if (!judge) continue;
    lopts.judges.push_back({i, PriceFor(judge->model, c.pricing), MaxTokens(judge->model),
                            cache && ResponseCache::Cacheable(judge->model.params)});
  }
  lopts.verdicts_done = &c.verdicts_done;
  lopts.budget_usd = job.budget_usd;
  lopts.rate_limit = job.rate_limit;
  lopts.stop_request = &g_stop_request;
  lopts.seed = std::random_device{}();  // back-off jitter: independent across runs and machines
  g_transport = &transport;
  InstallStopHandlers();

  ProgressPrinter progress(c.progress_mode,
                           c.plan.calls - static_cast<long long>(c.prior.ok.size()));
  RunSink sink(writer, verdicts, progress, c.tally ? &*c.tally : nullptr);
  CallPlanner planner(job, c.limit, &c.prior.ok, c.shard, &c.judge_pending);
  RunOutcome outcome;
  g_calls_sent = true;
  try {
    outcome = RunPlan(job, planner, transport, sink, lopts);
  } catch (const std::exception& e) {
    // Every finished call is in results.jsonl or in the batch Close() writes: stop, and still
    // write the reports.
    outcome.stop_reason = fmt::format("internal error: {}", e.what());
  }
  g_transport = nullptr;
  progress.Finish();
  return outcome;
}

/// Step 5: the reports of the whole run (a resumed one's too: every call's latest record), the
/// final manifest, what happened on stderr, and the verdict.
Status ReportRun(RunContext& c, const RunOutcome& outcome, Status io) {
  const Job& job = c.job();
  const SystemTime finished = std::chrono::system_clock::now();
  RunInfo info{
      c.manifest.run_id,
      job.name,
      c.manifest.started_at,
      Rfc3339Ms(finished),
      c.prior_wall_s + MsBetween(c.started_steady, std::chrono::steady_clock::now()) / 1000.0,
      outcome.stop_reason,
      job.concurrency,
      outcome.concurrency_min,
      outcome.retries};
  c.manifest.finished_at = info.finished_at;
  Summary built;
  if (io.ok()) {
    auto written = WriteReports(
        {c.dir, c.dir, job.output.formats, ScoreNames(job.scoring), info, job.gates,
         /*may_repeat=*/c.resuming, GithubStepSummary(), job.compare_baseline, &job,
         Sha256Of(c.manifest.datasets), JudgeNames(job.scoring), c.tally ? &*c.tally : nullptr});
    if (written.ok())
      built = std::move(written->summary);
    else
      io = written.status();
  }
  if (io.ok()) io = WriteFileAtomic(c.dir + "/manifest.json", ManifestToJson(c.manifest));
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
  for (const auto& [model, why] : outcome.stopped_models) {
    fmt::print(stderr,
               "stopped model {}: {}; its remaining calls were recorded as skipped "
               "(--resume {} sends them once the job is fixed)\n",
               model, why, c.dir);
  }
  fmt::print("reports: {}\n", c.dir);
  if (!outcome.stop_reason.empty() || !outcome.stopped_models.empty() || !io.ok())
    return Status::Stopped("");
  // CI must not go green when every call failed, gates or none.
  if (NoCallSucceeded(built))
    return Status::GateFailed(fmt::format("no call succeeded ({} calls)", built.totals.calls));
  return AllPassed(built.gates) ? Status::Ok() : Status::GateFailed("");
}

/// `evalrun run`: plan, preflight, run directory, calls, reports.
Status RunCommand(const RunArgs& args) {
  RunContext c(args);
  if (Status s = PlanRun(c); !s.ok()) return s;
  if (args.dry_run) return PrintEstimate(c.job(), c.pricing, c.limit, c.shard, {}, /*json=*/false);
  if (Status s = Preflight(c); !s.ok()) return s;
  ResultsWriter writer, verdicts;
  if (Status s = OpenRunDirectory(c, writer, verdicts); !s.ok()) return s;
  auto transport = CurlTransport::Create(c.transport);
  if (!transport.ok()) return transport.status();
  const RunOutcome outcome = SendCalls(c, writer, verdicts, **transport);
  // The connections close while the reports are written: at 1,000 in flight the kernel takes
  // as long to close them (15-20 ms) as the reports take to build. Nothing else uses the
  // transport from here on.
  std::thread closing;
  try {
    closing = std::thread([t = std::move(transport.value())]() mutable { t.reset(); });
  } catch (const std::system_error&) {
    // No thread to be had: the transport was destroyed here, as the attempt unwound.
  }
  Status closed = writer.Close();
  if (Status v = verdicts.Close(); closed.ok()) closed = v;
  Status reported = ReportRun(c, outcome, closed);
  if (closing.joinable()) closing.join();
  return reported;
}

}  // namespace

CommandRun DeclareRun(CLI::App& sub) {
  auto args = std::make_shared<RunArgs>();
  sub.add_option("job", args->job_file, "the job file (YAML)")->required();
  sub.add_option("--out", args->out_dir, "run directory (default: output.dir of the job)");
  sub.add_option("--set", args->sets,
                 "override a job key by dotted path, e.g. --set concurrency=8");
  sub.add_option("--limit", args->limit, "first N rows of each dataset")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--concurrency", args->concurrency, "calls in flight at once")
      ->check(CLI::Range(1, 100000));
  sub.add_flag("--dry-run", args->dry_run,
               "print the plan and its credit estimate (as `estimate`), send nothing");
  sub.add_flag("--no-cache", args->no_cache,
               "send every call even where the response cache has it");
  sub.add_option("--shard", args->shard,
                 "only the calls whose stable hash of (dataset, row id) mod N == I");
  sub.add_option("--resume", args->resume_dir,
                 "continue an interrupted run in DIR; finished calls are not sent again")
      ->excludes("--out");
  sub.add_option("--progress", args->progress, "auto|bar|lines|none")->capture_default_str();
  sub.footer(R"(Examples:
  evalrun run job.yaml --dry-run                the plan and its credit estimate, nothing sent
  evalrun run job.yaml --limit 20 --concurrency 8
  evalrun run job.yaml --set endpoint.project=my-team/my-project --set 'params.temperature=0.7'
  evalrun run job.yaml --shard 0/4 --out shard-0  one of four machines' share of the rows
  evalrun run job.yaml --resume reports/my-job/20261125T093602Z   after a crash or Ctrl-C

The run directory holds results.jsonl (one line per finished call), summary.json, report.md,
report.html, results.csv, junit.xml and manifest.json. stdout gets one line, `reports: DIR`;
progress and messages go to stderr.)");
  return [args] { return RunCommand(*args); };
}

}  // namespace evalrun
