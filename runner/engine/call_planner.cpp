#include "engine/call_planner.h"

#include "api/chat_request.h"
#include "dataset/dataset_scan.h"
#include "results/prior_results.h"

namespace evalrun {

CallPlanner::CallPlanner(const Job& job, std::optional<long long> cli_limit,
                         const std::unordered_set<uint64_t>* skip, Shard shard,
                         const std::unordered_map<uint64_t, std::string>* judge_pending)
    : job_(job), cli_limit_(cli_limit), skip_(skip), judge_pending_(judge_pending), shard_(shard) {}

bool CallPlanner::NextRow() {
  while (dataset_index_ < job_.datasets.size()) {
    const DatasetSpec& ds = job_.datasets[dataset_index_];
    if (!reader_) {
      reader_ = std::make_unique<JsonlReader>();
      parser_ = std::make_unique<RowParser>(ds, job_.prompt, &job_.scoring);
      rows_read_ = 0;
      if (Status s = reader_->Open(ds.path); !s.ok()) {
        status_ = s;
        return false;
      }
    }
    const auto limit = EffectiveLimit(ds, cli_limit_);
    std::string_view text;
    long long line = 0;
    if ((!limit || rows_read_ < *limit) && reader_->Next(&text, &line)) {
      ++rows_read_;
      if (auto problem = parser_->Parse(text, line, reader_->column_offset(), &row_)) {
        // The run scanned every row before sending; a row that fails now changed under us.
        status_ = Status::InvalidInput(problem->ToString() + " (the file changed during the run)");
        return false;
      }
      if (!shard_.Contains(row_.dataset, row_.id)) continue;  // another machine's row
      return true;
    }
    if (!reader_->status().ok()) {
      status_ = reader_->status();
      return false;
    }
    reader_.reset();
    parser_.reset();
    ++dataset_index_;
  }
  return false;
}

bool CallPlanner::Advance() {
  if (!have_row_ || ++repeat_ >= job_.repeats) {
    repeat_ = 0;
    if (!have_row_ || ++model_ >= job_.models.size()) {
      model_ = 0;
      have_row_ = NextRow();
      if (!have_row_) return false;
    }
  }
  return true;
}

bool CallPlanner::Skipped() const {
  const ModelSpec& model = job_.models[model_];
  // Without job models an openai-batch row goes only to the model its body names.
  if (job_.models_from_rows && model.id != row_.body_model) return true;
  // A fresh run skips nothing: no key is built for an empty set.
  return skip_ && !skip_->empty() &&
         skip_->count(CallKey(model.label, row_.dataset, row_.id, repeat_));
}

bool CallPlanner::Next(PlannedCall* call) {
  if (!status_.ok()) return false;
  const std::string* answer = nullptr;  // a done call still to be judged
  for (;;) {
    if (!Advance()) return false;
    if (!Skipped()) break;
    if (judge_pending_) {
      auto it =
          judge_pending_->find(CallKey(job_.models[model_].label, row_.dataset, row_.id, repeat_));
      if (it != judge_pending_->end()) {
        answer = &it->second;
        break;
      }
    }
  }
  const ModelSpec& model = job_.models[model_];
  call->model_index = model_;
  call->dataset = row_.dataset;
  call->row_id = row_.id;
  call->cluster = row_.cluster;
  call->repeat = repeat_;
  call->judge_only = answer != nullptr;
  call->answer = answer ? *answer : std::string();
  call->body = answer ? std::string() : BuildChatBody(model.id, model.params, row_, job_.stream);
  call->references = row_.references;
  call->judge_prompts = row_.judge_prompts;
  return true;
}

}  // namespace evalrun
