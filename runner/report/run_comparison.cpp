#include "report/run_comparison.h"

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/json_write.h"
#include "common/stable_hash.h"
#include "report/format.h"
#include "report/summary_json.h"
#include "results/manifest.h"
#include "results/prior_results.h"
#include "results/verdict_record.h"

namespace evalrun {
namespace {

constexpr uint16_t kNew = 0, kBase = 1;

/// Per model label, both runs' row scores; score names in the order first seen.
struct Collected {
  std::map<std::string, RowScores> by_model;
  std::map<std::string, unsigned> runs_of_model;  // bit 1: new, bit 2: base
  std::vector<std::string> scores;
};

Status Collect(const std::string& dir, uint16_t run, const std::optional<std::string>& score,
               Collected* c) {
  // Judge scores are in verdicts.jsonl: joined to their graded calls, as `report` does.
  std::unordered_map<uint64_t, std::vector<std::pair<std::string, double>>> judged;
  if (Status s = ForEachLatestVerdict(
          dir,
          [&](const VerdictRecord& v) {
            if (v.ok())
              judged[CallKey(v.model, v.dataset, v.row_id, v.repeat)].emplace_back(v.judge,
                                                                                   *v.score);
          });
      !s.ok())
    return s;
  auto read = ForEachLatestRecord(dir + "/results.jsonl", [&](const CallRecord& record) {
    c->runs_of_model[record.model] |= 1u << run;
    CallRecord joined;
    const CallRecord* rp = &record;
    if (auto it = judged.find(CallKey(record)); record.ok() && it != judged.end()) {
      joined = record;
      for (const auto& [judge, v] : it->second) joined.scores[judge] = v;
      rp = &joined;
    }
    const CallRecord& r = *rp;
    for (const auto& [name, v] : r.scores) {
      if (score && name != *score) continue;
      auto it = std::find(c->scores.begin(), c->scores.end(), name);
      if (it == c->scores.end()) it = c->scores.insert(c->scores.end(), name);
      c->by_model[r.model].Add(run, static_cast<uint16_t>(it - c->scores.begin()),
                               StableHash(r.row_id, StableHash(r.dataset)), v);
    }
  });
  return read.ok() ? Status::Ok() : read.status();
}

/// The runs must have scored the same rows: every dataset of both, by name, with one SHA-256.
Status SameDatasets(const ManifestInfo& base, const ManifestInfo& next, const std::string& base_dir,
                    const std::string& new_dir) {
  for (const auto& d : next.datasets) {
    auto it = std::find_if(base.datasets.begin(), base.datasets.end(),
                           [&](const DatasetFingerprint& b) { return b.name == d.name; });
    if (it == base.datasets.end())
      return Status::InvalidInput(
          fmt::format("dataset '{}' of {} is not in {}", d.name, new_dir, base_dir));
    if (it->sha256 != d.sha256) {
      return Status::InvalidInput(
          fmt::format("dataset '{}' differs: SHA-256 {} in {}, {} in {}; rows would not pair",
                      d.name, it->sha256.substr(0, 12), base_dir, d.sha256.substr(0, 12), new_dir));
    }
  }
  for (const auto& d : base.datasets) {
    if (std::none_of(next.datasets.begin(), next.datasets.end(),
                     [&](const DatasetFingerprint& n) { return n.name == d.name; }))
      return Status::InvalidInput(
          fmt::format("dataset '{}' of {} is not in {}", d.name, base_dir, new_dir));
  }
  return Status::Ok();
}

}  // namespace

bool RunComparison::regressed() const {
  return std::any_of(models.begin(), models.end(), [](const auto& m) { return m.regressed; });
}

Result<RunComparison> CompareRuns(const std::string& base_dir, const std::string& new_dir,
                                  const std::optional<std::string>& score, double max_regression) {
  auto base = ReadManifest(base_dir);
  if (!base.ok()) return Status::InvalidInput(base.status().message());
  auto next = ReadManifest(new_dir);
  if (!next.ok()) return Status::InvalidInput(next.status().message());
  if (Status s = SameDatasets(*base, *next, base_dir, new_dir); !s.ok()) return s;
  Collected c;
  if (Status s = Collect(new_dir, kNew, score, &c); !s.ok()) return s;
  if (Status s = Collect(base_dir, kBase, score, &c); !s.ok()) return s;
  if (score && c.scores.empty())
    return Status::InvalidInput(fmt::format("neither run has a score named '{}'", *score));
  RunComparison out{base_dir, new_dir, {}, {}, {}, max_regression};
  for (const auto& [model, runs] : c.runs_of_model) {
    if (runs == 1u << kNew) out.only_in_new.push_back(model);
    if (runs == 1u << kBase) out.only_in_base.push_back(model);
    if (runs != 3u) continue;
    auto it = c.by_model.find(model);
    if (it == c.by_model.end()) continue;  // no scores in either run
    for (ComparisonSummary& cmp : it->second.Compare({"new", "base"}, {kNew, kBase}, c.scores)) {
      cmp.a = cmp.b = model;
      const PairedComparison& p = cmp.stats;
      const bool worse = p.p_value && *p.p_value < 0.05 && p.diff < -max_regression;
      out.models.push_back({std::move(cmp), worse});
    }
  }
  return out;
}

std::string RunComparisonToMarkdown(const RunComparison& c) {
  std::string md = fmt::format(
      "# evalrun compare\n\nNew `{}` against base `{}`, paired by (model, dataset, row); diff = "
      "new - base; a model regressed when it is significantly worse (p < 0.05) by more than "
      "{}.\n\n| model | score | rows | base | new | diff | 95% CI | test | p | new only | base "
      "only | unpaired | verdict |\n|---|---|--:|--:|--:|--:|---|---|--:|--:|--:|--:|---|\n",
      c.new_dir, c.base_dir, c.max_regression);
  for (const ModelComparison& m : c.models) {
    const PairedComparison& p = m.comparison.stats;
    const char* verdict = m.regressed                                    ? "**worse**"
                          : p.p_value && *p.p_value < 0.05 && p.diff > 0 ? "better"
                                                                         : "no significant change";
    md += fmt::format(
        "| {} | {} | {} | {:.3f} | {:.3f} | {:+.3f} | {} | {} | {} | {} | {} | {} | {} |\n",
        m.comparison.a, m.comparison.score, p.n, p.mean_b, p.mean_a, p.diff,
        p.ci95 ? fmt::format("{:+.3f} – {:+.3f}", p.ci95->first, p.ci95->second) : "–", p.test,
        p.p_value ? FormatP(*p.p_value) : "–", p.a_only, p.b_only, m.comparison.unpaired, verdict);
  }
  for (const auto& model : c.only_in_base)
    md += fmt::format("\n`{}` is only in the base run.", model);
  for (const auto& model : c.only_in_new)
    md += fmt::format("\n`{}` is only in the new run.", model);
  return md + "\n";
}

std::string RunComparisonToJson(const RunComparison& c) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("base");
  w.String(c.base_dir);
  w.Key("new");
  w.String(c.new_dir);
  w.Key("max_regression");
  w.Double(c.max_regression);
  w.Key("regressed");
  w.Bool(c.regressed());
  w.Key("comparisons");
  w.StartArray();
  for (const ModelComparison& m : c.models) {
    const PairedComparison& p = m.comparison.stats;
    w.StartObject();
    w.Key("a");
    w.String("new");
    w.Key("b");
    w.String("base");
    w.Key("model");
    w.String(m.comparison.a);
    w.Key("score");
    w.String(m.comparison.score);
    WriteComparisonFields(w, p, m.comparison.unpaired);
    w.Key("regressed");
    w.Bool(m.regressed);
    w.EndObject();
  }
  w.EndArray();
  w.Key("only_in_base");
  w.StartArray();
  for (const auto& m : c.only_in_base) w.String(m);
  w.EndArray();
  w.Key("only_in_new");
  w.StartArray();
  for (const auto& m : c.only_in_new) w.String(m);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace evalrun
