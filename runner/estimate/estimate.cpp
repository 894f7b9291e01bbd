#include "estimate/estimate.h"

#include <algorithm>
#include <map>

#include "api/chat_request.h"
#include "api/prompt_tokens.h"
#include "common/json_limits.h"
#include "engine/call_planner.h"
#include "estimate/prompt_fit.h"
#include "money/cost.h"
#include "tokenizer/script_rule.h"

namespace evalrun {
namespace {

/// What one (model, dataset) adds up to while the plan is walked; turned into an EstimateLine
/// once the history's per-model prompt ratio is known.
struct GroupSums {
  size_t model_index = 0;
  std::string dataset;
  long long calls = 0;
  double counted_prompt = 0;
  PromptParts parts = {};  // counted_prompt in the parts a history calibrates
  double body_bytes = 0;
  double row_completion = 0;  // reference or default length, call by call
  long long reference_calls = 0;
  bool thinking = false;  // a thinking model's: half the token bound, not the reference
};

/// One judge scorer over one dataset: a judge call per graded call.
struct JudgeSums {
  size_t scorer = 0;  // into Job::scoring
  std::string dataset;
  long long calls = 0;
  double counted_prompt = 0;  // the judge prompt's tokens, the expected answer's included
  double worst_prompt = 0;    // the prompt's bytes, with the graded call's whole token bound
};

struct PromptMatch {
  double counted = 0, real = 0;
  long long rows = 0;
};

/// A request body's messages; nullopt when it does not parse or has none.
std::optional<std::vector<ChatMessage>> MessagesOfBody(const std::string& body) {
  rapidjson::Document d;
  if (!ParseBoundedJson(body, &d) || !d.IsObject()) return std::nullopt;
  auto messages = d.FindMember("messages");
  if (messages == d.MemberEnd()) return std::nullopt;
  return ChatMessagesOf(messages->value);
}

void AddParts(PromptParts* sum, const PromptParts& p) {
  for (size_t k = 0; k < p.text.size(); ++k) sum->text[k] += p.text[k];
  sum->framing += p.framing;
  sum->messages += p.messages;
}

/// What one model's records in the history say beyond their own rows.
struct HistoryFit {
  PromptFit prompt;
  // Real completion tokens against the reference answers counted as completions, over the ok
  // calls whose rows have one: how much longer than the reference the model answers.
  double reference_counted = 0, reference_real = 0;
  long long reference_records = 0;
  // The completions of its ok calls whose rows have no reference: what a row without one gets.
  CompletionMean unreferenced;
};

/// Each model's fit over the history runs' calls: their prompts counted as this estimate counts
/// them, against the prompt tokens the API billed; their references against the completions.
std::vector<HistoryFit> FitHistory(const Job& job, const std::vector<Job>& history_jobs,
                                   const History& history,
                                   const std::vector<TokenCounter>& counters) {
  std::vector<HistoryFit> fits(job.models.size());
  for (Job h : history_jobs) {
    h.models = job.models;  // the same labels: the records name them
    h.repeats = 1;
    CallPlanner planner(h, std::nullopt, nullptr, Shard{});
    PlannedCall call;
    while (planner.Next(&call)) {
      const std::string& label = job.models[call.model_index].label;
      auto real = history.PromptTokens(label, call.dataset, call.row_id);
      if (!real) continue;
      const TokenCounter& counter = counters[call.model_index];
      HistoryFit& fit = fits[call.model_index];
      if (const auto messages = MessagesOfBody(call.body))
        fit.prompt.Add(counter.Parts(*messages), static_cast<double>(*real));
      if (job.models[call.model_index].thinks) continue;  // its thinking is no reference's length
      const auto completion = history.CompletionTokens(label, call.dataset, call.row_id);
      if (!completion) continue;
      const auto ref = std::find_if(call.references.begin(), call.references.end(),
                                    [](const auto& r) { return r.has_value(); });
      if (ref == call.references.end()) {
        fit.unreferenced.sum += static_cast<double>(*completion);
        ++fit.unreferenced.calls;
        continue;
      }
      fit.reference_counted += static_cast<double>(counter.Completion(**ref));
      fit.reference_real += static_cast<double>(*completion);
      ++fit.reference_records;
    }
  }
  return fits;
}

/// The counter of one model: its named tokenizer, else the hub cache's, else the rule framed by
/// its id's family. A tokenizer that cannot be read is said, and the rule counts instead. Models
/// and judges naming the same file share one load (`loaded`, by path: a 9 MB file takes 0.24 s).
using LoadedTokenizers = std::map<std::string, std::shared_ptr<const ModelTokenizer>>;
TokenCounter CounterFor(const ModelSpec& model, LoadedTokenizers& loaded, ModelCounting* said) {
  std::string path = model.tokenizer;
  if (path.empty()) path = ModelTokenizer::FindInHubCache(model.id).value_or("");
  TokenCounter counter(FormatFromModelId(model.id));
  if (!path.empty()) {
    auto it = loaded.find(path);
    if (it == loaded.end()) {
      auto t = ModelTokenizer::Load(path);
      if (t.ok())
        it = loaded.emplace(path, *t).first;
      else
        said->warning = t.status().message() + "; the rule counts instead";
    }
    if (it != loaded.end()) counter = TokenCounter(it->second);
  }
  said->model = model.label;
  said->basis = counter.Basis();
  return counter;
}

void AddTo(EstimateLine* total, const EstimateLine& g, bool first) {
  total->calls += g.calls;
  total->prompt_tokens += g.prompt_tokens;
  total->completion_tokens += g.completion_tokens;
  total->worst_prompt_tokens += g.worst_prompt_tokens;
  auto add = [&](std::optional<double>* sum, const std::optional<double>& v) {
    if (first)
      *sum = v;
    else if (*sum && v)
      **sum += *v;
    else
      sum->reset();  // one unknown makes the total unknown
  };
  add(&total->worst_completion_tokens, g.worst_completion_tokens);
  add(&total->expected_usd, g.expected_usd);
  add(&total->worst_usd, g.worst_usd);
}

}  // namespace

namespace {

/// What walking the run's own planner adds up: per (model, dataset) sums, and per model how the
/// history's real prompt tokens compare with the counted ones on the rows it ran.
struct PlanSums {
  std::vector<GroupSums> groups;
  std::vector<PromptMatch> matches;
  std::vector<JudgeSums> judges;
};

/// Adds one graded call's judge calls: their prompts hold the graded answer, counted at the
/// length the estimate expects of it.
void SumJudges(const Job& job, const PlannedCall& call, long long completion, long long max_out,
               const std::vector<TokenCounter>& judge_counters,
               std::map<std::pair<size_t, std::string>, size_t>* index, PlanSums* sums) {
  for (size_t i = 0; i < job.scoring.size() && i < call.judge_prompts.size(); ++i) {
    if (!job.scoring[i].judge) continue;
    std::string prompt = call.judge_prompts[i];
    const std::string_view marker = kJudgeResponseMarker;
    if (size_t at = prompt.find(marker); at != std::string::npos) prompt.erase(at, marker.size());
    auto [it, added] = index->try_emplace({i, call.dataset}, sums->judges.size());
    if (added) sums->judges.push_back({i, call.dataset});
    JudgeSums& j = sums->judges[it->second];
    ++j.calls;
    rapidjson::Document messages;
    messages.Parse(BuildUserMessages(prompt).c_str());
    j.counted_prompt += static_cast<double>(judge_counters[i].Prompt(messages) + completion);
    j.worst_prompt += static_cast<double>(prompt.size()) +
                      static_cast<double>(max_out > 0 ? max_out : kDefaultCompletionTokens);
  }
}

Result<PlanSums> SumPlan(const Job& job, std::optional<long long> cli_limit, const Shard& shard,
                         const History* history, const std::vector<long long>& max_tokens,
                         const std::vector<TokenCounter>& counters,
                         const std::vector<TokenCounter>& judge_counters) {
  PlanSums sums;
  sums.matches.resize(job.models.size());
  std::map<std::pair<size_t, std::string>, size_t> index, judge_index;
  CallPlanner planner(job, cli_limit, nullptr, shard);
  PlannedCall call;
  std::string last_dataset, last_row;
  std::vector<long long> prompts(job.models.size(), -1);  // of the row, per model's counter
  std::vector<PromptParts> parts(job.models.size());
  std::optional<std::vector<ChatMessage>> row_messages;  // the row's, read once
  while (planner.Next(&call)) {
    // Models and repeats of one row share its messages: read them once, count once per model.
    if (call.dataset != last_dataset || call.row_id != last_row) {
      std::fill(prompts.begin(), prompts.end(), -1);
      row_messages = MessagesOfBody(call.body);
      last_dataset = call.dataset;
      last_row = call.row_id;
    }
    long long& prompt = prompts[call.model_index];
    if (prompt < 0) {
      const TokenCounter& counter = counters[call.model_index];
      prompt = row_messages ? counter.Prompt(*row_messages) : 0;
      parts[call.model_index] = row_messages ? counter.Parts(*row_messages) : PromptParts{};
    }
    auto [it, added] = index.try_emplace({call.model_index, call.dataset}, sums.groups.size());
    if (added) sums.groups.push_back({call.model_index, call.dataset});
    GroupSums& g = sums.groups[it->second];
    ++g.calls;
    g.counted_prompt += static_cast<double>(prompt);
    AddParts(&g.parts, parts[call.model_index]);
    g.body_bytes += static_cast<double>(call.body.size());
    const long long max_out = max_tokens[call.model_index];
    const long long bound_half = max_out > 0 ? max_out / 2 : kDefaultCompletionTokens;
    long long answer = bound_half;  // the answer alone: what a judge gets to read
    bool referenced = false;
    for (const auto& ref : call.references) {
      if (!ref) continue;
      answer = counters[call.model_index].Completion(*ref);
      referenced = true;
      break;
    }
    if (max_out > 0) answer = std::min(answer, max_out);
    answer = std::max<long long>(answer, 1);
    // A thinking model's reference is not its completion: its thinking is billed too.
    const bool thinks = job.models[call.model_index].thinks;
    g.thinking = thinks;
    if (referenced && !thinks) ++g.reference_calls;
    g.row_completion += static_cast<double>(thinks ? std::max<long long>(bound_half, 1) : answer);
    SumJudges(job, call, answer, max_out, judge_counters, &judge_index, &sums);
    if (history && call.repeat == 0) {
      const std::string& label = job.models[call.model_index].label;
      if (auto real = history->PromptTokens(label, call.dataset, call.row_id)) {
        PromptMatch& m = sums.matches[call.model_index];
        m.counted += static_cast<double>(prompt);
        m.real += static_cast<double>(*real);
        ++m.rows;
      }
    }
  }
  if (!planner.status().ok()) return planner.status();
  return sums;
}

/// Per model, real / counted prompt tokens over the rows the history ran; a model the history
/// never ran borrows the ratio of all the models it did.
std::vector<double> PromptRatios(const Job& job, const std::vector<PromptMatch>& matches,
                                 const History* history, Estimate* est) {
  PromptMatch all;
  for (const auto& m : matches) {
    all.counted += m.counted;
    all.real += m.real;
  }
  std::vector<double> ratio(job.models.size(), 1.0);
  if (!history) return ratio;
  for (size_t i = 0; i < job.models.size(); ++i) {
    ModelCalibration c;
    c.model = job.models[i].label;
    c.in_history = history->HasModel(c.model);
    c.matched_rows = matches[i].rows;
    if (matches[i].counted > 0) {
      ratio[i] = matches[i].real / matches[i].counted;
      c.prompt_ratio = ratio[i];
    } else if (all.counted > 0) {
      ratio[i] = all.real / all.counted;
    }
    est->calibration.push_back(c);
  }
  return ratio;
}

struct HistoryCompletion {
  double per_call = 0;
  const char* basis = "history";
};

/// A group's completion length from the history: the model's own length on this dataset; else,
/// where every row has a reference, its length against references on others (none there: the
/// references alone, as without history: its answers to open questions say nothing of its answer
/// to "2 + 2"); where no row has one, its mean on rows without a reference (none there: the first
/// estimate, for the same reason the other way round); else, or where the history's rows could
/// not be read again (`fit` null), or for a thinking model, its mean anywhere. nullopt keeps the
/// first estimate.
std::optional<HistoryCompletion> CompletionFromHistory(const GroupSums& g, const std::string& label,
                                                       const History& history,
                                                       const ModelCalibration& calibration,
                                                       const HistoryFit* fit) {
  if (auto mean = history.GroupCompletionTokens(label, g.dataset))
    return HistoryCompletion{*mean, "history"};
  const auto any = history.ModelCompletionTokens(label);
  // A thinking model's length is its thinking's, references or not.
  if (g.thinking) return any ? std::optional(HistoryCompletion{*any, "history"}) : std::nullopt;
  if (g.reference_calls == g.calls) {
    if (!calibration.completion_ratio) return std::nullopt;
    return HistoryCompletion{
        g.row_completion / static_cast<double>(g.calls) * *calibration.completion_ratio,
        "reference_x_history"};
  }
  if (g.reference_calls == 0 && fit && fit->prompt.records() > 0) {
    if (auto open = fit->unreferenced.mean()) return HistoryCompletion{*open, "history"};
    return std::nullopt;
  }
  return any ? std::optional(HistoryCompletion{*any, "history"}) : std::nullopt;
}

/// Completes a line (the history's completion length where it has one, the worst case, the
/// prices) and adds it to the estimate and its total.
void AddLine(EstimateLine line, const std::optional<Pricing>& price, long long max_out,
             std::optional<HistoryCompletion> from_history, Estimate* est) {
  if (from_history) {
    double per_call = from_history->per_call;
    if (max_out > 0) per_call = std::min(per_call, static_cast<double>(max_out));
    line.completion_tokens = per_call * static_cast<double>(line.calls);
    line.completion_basis = from_history->basis;
  }
  if (max_out > 0)
    line.worst_completion_tokens = static_cast<double>(max_out) * static_cast<double>(line.calls);
  if (price) line.expected_usd = UsdFor(*price, line.prompt_tokens, line.completion_tokens);
  // The same bound the run's budget holds each call to, summed over the group's calls.
  if (line.worst_completion_tokens)
    line.worst_usd = WorstCaseUsd(price, line.worst_prompt_tokens, *line.worst_completion_tokens);
  AddTo(&est->total, line, est->groups.empty());
  est->groups.push_back(std::move(line));
}

}  // namespace

Result<Estimate> EstimateJob(const Job& job, const PricingTable& pricing,
                             std::optional<long long> cli_limit, const Shard& shard,
                             const History* history, const std::vector<Job>& history_jobs) {
  std::vector<long long> max_tokens;  // per model: what bounds a completion, 0 for nothing
  for (const auto& m : job.models) max_tokens.push_back(MaxTokens(m));
  Estimate est;
  std::vector<TokenCounter> counters, judge_counters;
  LoadedTokenizers loaded;
  for (const auto& m : job.models) {
    est.counting.emplace_back();
    counters.push_back(CounterFor(m, loaded, &est.counting.back()));
    est.prices.push_back({m.label, PriceFor(m, pricing)});
  }
  for (const auto& scorer : job.scoring) {
    ModelCounting said;
    judge_counters.push_back(scorer.judge ? CounterFor(scorer.judge->model, loaded, &said)
                                          : TokenCounter());
    if (scorer.judge) {
      said.model = scorer.name;
      est.counting.push_back(said);
      est.prices.push_back({scorer.name, PriceFor(scorer.judge->model, pricing)});
    }
  }
  auto sums = SumPlan(job, cli_limit, shard, history, max_tokens, counters, judge_counters);
  if (!sums.ok()) return sums.status();
  const std::vector<GroupSums>& groups = sums->groups;
  const std::vector<double> ratio = PromptRatios(job, sums->matches, history, &est);
  std::vector<HistoryFit> fits;
  if (history && !history_jobs.empty()) fits = FitHistory(job, history_jobs, *history, counters);
  for (size_t i = 0; i < fits.size() && i < est.calibration.size(); ++i) {
    ModelCalibration& c = est.calibration[i];
    c.fitted_records = fits[i].prompt.records();
    c.prompt_fit = fits[i].prompt.Solve();
    c.reference_records = fits[i].reference_records;
    if (fits[i].reference_counted > 0)
      c.completion_ratio = fits[i].reference_real / fits[i].reference_counted;
  }
  for (const GroupSums& g : groups) {
    const ModelSpec& model = job.models[g.model_index];
    const auto price = PriceFor(model, pricing);
    const long long max_out = max_tokens[g.model_index];
    EstimateLine line;
    line.model = model.label;
    line.model_id = model.id;
    line.dataset = g.dataset;
    line.calls = g.calls;
    // Fitted over every record of the model where the history has them, else the ratio.
    const ModelCalibration* calibration = history ? &est.calibration[g.model_index] : nullptr;
    line.prompt_tokens = calibration && calibration->prompt_fit
                             ? calibration->prompt_fit->Apply(g.parts, static_cast<double>(g.calls))
                             : g.counted_prompt * ratio[g.model_index];
    line.completion_tokens = g.row_completion;
    line.completion_basis = g.thinking                     ? "thinking"
                            : g.reference_calls == g.calls ? "reference"
                            : g.reference_calls == 0       ? "default"
                                                           : "mixed";
    line.worst_prompt_tokens = g.body_bytes;
    const std::optional<HistoryCompletion> from_history =
        calibration ? CompletionFromHistory(g, model.label, *history, *calibration,
                                            fits.empty() ? nullptr : &fits[g.model_index])
                    : std::nullopt;
    AddLine(std::move(line), price, max_out, from_history, &est);
  }
  // One judge call per graded call (the run sends one per ok call: this is its upper bound).
  for (const JudgeSums& j : sums->judges) {
    const JudgeSpec& judge = *job.scoring[j.scorer].judge;
    const auto price = PriceFor(judge.model, pricing);
    const long long max_out = MaxTokens(judge.model);
    EstimateLine line;
    line.model = job.scoring[j.scorer].name;
    line.model_id = judge.model.id;
    line.dataset = j.dataset;
    line.judge = true;
    line.calls = j.calls;
    line.prompt_tokens = j.counted_prompt;
    line.completion_tokens =
        static_cast<double>(max_out > 0 ? max_out / 2 : kDefaultCompletionTokens) *
        static_cast<double>(j.calls);
    line.completion_basis = "default";
    line.worst_prompt_tokens = j.worst_prompt;
    std::optional<HistoryCompletion> from_history;
    if (auto mean = history ? history->JudgeCompletionTokens(line.model) : std::nullopt)
      from_history = HistoryCompletion{*mean, "history"};
    AddLine(std::move(line), price, max_out, from_history, &est);
  }
  if (est.groups.empty()) est.total.expected_usd = est.total.worst_usd = 0.0;
  return est;
}

}  // namespace evalrun
