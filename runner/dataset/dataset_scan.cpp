#include "dataset/dataset_scan.h"

#include <algorithm>

#include "dataset/jsonl_reader.h"
#include "dataset/row_parser.h"
#include "job/job_json.h"

namespace evalrun {

std::optional<long long> EffectiveLimit(const DatasetSpec& dataset,
                                        std::optional<long long> cli_limit) {
  if (dataset.limit && cli_limit) return std::min(*dataset.limit, *cli_limit);
  return dataset.limit ? dataset.limit : cli_limit;
}

DatasetScan ScanDataset(const DatasetSpec& dataset, const PromptSpec& prompt,
                        std::optional<long long> limit, size_t max_problems, const Shard& shard,
                        std::vector<std::string>* row_models,
                        const std::vector<ScorerSpec>* scorers, bool hash) {
  DatasetScan scan;
  JsonlReader reader;
  if (Status s = reader.Open(dataset.path); !s.ok()) {
    scan.problems.push_back({dataset.given_path, 0, 0, "cannot open the dataset"});
    return scan;
  }
  Sha256 sha;
  if (hash) reader.HashInto(&sha);
  RowParser parser(dataset, prompt, scorers, /*messages=*/false);
  Row row;
  std::string_view text;
  long long line = 0;
  long long seen = 0;
  while ((!limit || seen < *limit) && reader.Next(&text, &line)) {
    ++seen;
    if (auto problem = parser.Parse(text, line, reader.column_offset(), &row)) {
      if (scan.problems.size() < max_problems) scan.problems.push_back(std::move(*problem));
      continue;
    }
    if (row_models) {
      if (row.body_model.empty()) {
        if (scan.problems.size() < max_problems) {
          scan.problems.push_back({dataset.given_path, static_cast<int>(line), 1,
                                   "the job lists no models, so each row must be an openai-batch "
                                   "line whose body names its \"model\""});
        }
        continue;
      }
      if (std::find(row_models->begin(), row_models->end(), row.body_model) == row_models->end())
        row_models->push_back(row.body_model);
    }
    if (shard.Contains(row.dataset, row.id)) ++scan.rows;
  }
  Status read = reader.status();
  if (read.ok() && hash) read = reader.HashRest();
  if (!read.ok()) scan.problems.push_back({dataset.given_path, 0, 0, read.message()});
  if (hash && read.ok()) scan.sha256 = sha.HexDigest();
  return scan;
}

void AddModelsFromRows(Job* job, const std::vector<std::string>& ids) {
  for (const auto& id : ids) job->models.push_back({id, id, job->params, std::nullopt});
}

}  // namespace evalrun
