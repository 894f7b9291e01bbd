#include "estimate/history.h"

#include <fmt/format.h>

#include <filesystem>

#include "results/prior_results.h"

namespace evalrun {

uint64_t History::RowKey(const std::string& model, const std::string& dataset,
                         const std::string& row_id) {
  // Every repeat of a row sends the same prompt, so repeat 0 stands for all of them.
  return CallKey(model, dataset, row_id, 0);
}

void History::Add(const CallRecord& r) {
  if (!r.usage) return;
  ++records_;
  ++records_by_model_[r.model];
  rows_[RowKey(r.model, r.dataset, r.row_id)] = {r.usage->prompt_tokens,
                                                 r.ok() ? r.usage->completion_tokens : -1};
  if (!r.ok()) return;  // a failed call's length says nothing about a normal answer
  const double completion = static_cast<double>(r.usage->completion_tokens);
  for (CompletionMean* m : {&by_group_[{r.model, r.dataset}], &by_model_[r.model]}) {
    m->sum += completion;
    ++m->calls;
  }
}

std::optional<long long> History::PromptTokens(const std::string& model, const std::string& dataset,
                                               const std::string& row_id) const {
  auto it = rows_.find(RowKey(model, dataset, row_id));
  if (it == rows_.end()) return std::nullopt;
  return it->second.prompt;
}

std::optional<long long> History::CompletionTokens(const std::string& model,
                                                   const std::string& dataset,
                                                   const std::string& row_id) const {
  auto it = rows_.find(RowKey(model, dataset, row_id));
  if (it == rows_.end() || it->second.completion < 0) return std::nullopt;
  return it->second.completion;
}

std::optional<double> History::GroupCompletionTokens(const std::string& model,
                                                     const std::string& dataset) const {
  auto g = by_group_.find({model, dataset});
  return g == by_group_.end() ? std::nullopt : g->second.mean();
}

std::optional<double> History::ModelCompletionTokens(const std::string& model) const {
  auto m = by_model_.find(model);
  return m == by_model_.end() ? std::nullopt : m->second.mean();
}

void History::AddVerdict(const VerdictRecord& v) {
  if (!v.usage || v.cached) return;
  by_judge_[v.judge].sum += static_cast<double>(v.usage->completion_tokens);
  ++by_judge_[v.judge].calls;
}

std::optional<double> History::JudgeCompletionTokens(const std::string& judge) const {
  auto it = by_judge_.find(judge);
  return it == by_judge_.end() ? std::nullopt : it->second.mean();
}

Result<History> LoadHistory(const std::vector<std::string>& run_dirs) {
  History history;
  for (const auto& dir : run_dirs) {
    const std::string path = dir + "/results.jsonl";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return Status::NotFound(fmt::format("--history {}: no results.jsonl there", dir));
    auto read = ForEachLatestRecord(path, [&](const CallRecord& r) { history.Add(r); });
    if (!read.ok()) return read.status();
    if (Status s =
            ForEachLatestVerdict(dir, [&](const VerdictRecord& v) { history.AddVerdict(v); });
        !s.ok())
      return s;
  }
  return history;
}

}  // namespace evalrun
