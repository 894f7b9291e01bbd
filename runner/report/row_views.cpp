#include "report/row_views.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <unordered_set>

#include "common/files.h"
#include "common/stable_hash.h"
#include "dataset/jsonl_reader.h"
#include "dataset/row_parser.h"
#include "results/call_record.h"
#include "results/verdict_record.h"

namespace evalrun {
namespace {

bool Contains(const std::vector<uint64_t>& sorted, uint64_t row) {
  return std::binary_search(sorted.begin(), sorted.end(), row);
}

uint64_t RowHash(std::string_view dataset, std::string_view row_id) {
  return StableHash(row_id, StableHash(dataset));
}

/// The value of a top-level string field as the record writer writes it (`"key":"value"`, no
/// escapes), to skip the records of rows not shown without parsing them. False when the line is
/// written any other way: then it is parsed. The pattern cannot occur inside a JSON string,
/// where every quote is escaped, so its first match is the key.
bool PlainField(std::string_view line, std::string_view pattern, std::string_view* value) {
  const size_t at = line.find(pattern);
  if (at == std::string_view::npos) return false;
  const size_t begin = at + pattern.size();
  const size_t end = line.find('"', begin);
  if (end == std::string_view::npos) return false;
  *value = line.substr(begin, end - begin);
  return value->find('\\') == std::string_view::npos;
}

/// The row of a results.jsonl line, when it can be read off without parsing.
std::optional<uint64_t> QuickRow(std::string_view line) {
  std::string_view dataset, row_id;
  if (!PlainField(line, "\"dataset\":\"", &dataset) || !PlainField(line, "\"row_id\":\"", &row_id))
    return std::nullopt;
  return RowHash(dataset, row_id);
}

/// Where each chosen row goes: its view in `differ` and in each model's failed list.
struct Slots {
  std::vector<std::pair<uint64_t, RowView*>> views;  // sorted by row once filled
  void Add(uint64_t row, RowView* view) { views.emplace_back(row, view); }
};

class Chooser {
 public:
  Chooser(const RowSelection& selection, const std::vector<std::string>& models, RowViews* out)
      : selection_(selection), out_(out) {
    out->differing = static_cast<long long>(selection.differing.size());
    out->differ.reserve(std::min(kDifferingRowsShown, selection.differing.size()));
    for (size_t m = 0; m < models.size(); ++m) {
      FailedRows& f = out->failed.emplace_back();
      f.model = models[m];
      f.count =
          m < selection.failed.size() ? static_cast<long long>(selection.failed[m].size()) : 0;
      f.shown.reserve(std::min(kFailedRowsShown, static_cast<size_t>(f.count)));
    }
  }

  /// Offers one row, in the order rows are to be shown; returns the views it went into.
  void Offer(uint64_t row, const std::string& dataset, const std::string& row_id,
             const std::optional<std::string>& prompt, const std::optional<std::string>& ref) {
    if (!seen_.insert(row).second) return;
    auto fill = [&](RowView& v) {
      v.dataset = dataset;
      v.row_id = row_id;
      v.prompt = prompt;
      v.reference = ref;
      slots_.Add(row, &v);
    };
    if (out_->differ.size() < kDifferingRowsShown && Contains(selection_.differing, row))
      fill(out_->differ.emplace_back());
    for (size_t m = 0; m < out_->failed.size() && m < selection_.failed.size(); ++m) {
      FailedRows& f = out_->failed[m];
      if (f.shown.size() < kFailedRowsShown && Contains(selection_.failed[m], row))
        fill(f.shown.emplace_back());
    }
  }

  bool Full() const {
    if (out_->differ.size() < std::min(kDifferingRowsShown, selection_.differing.size()))
      return false;
    for (size_t m = 0; m < out_->failed.size(); ++m) {
      if (static_cast<long long>(out_->failed[m].shown.size()) <
          std::min(static_cast<long long>(kFailedRowsShown), out_->failed[m].count))
        return false;
    }
    return true;
  }

  bool Wanted(uint64_t row) const {
    if (Contains(selection_.differing, row)) return true;
    for (const auto& f : selection_.failed) {
      if (Contains(f, row)) return true;
    }
    return false;
  }

  Slots& slots() { return slots_; }

 private:
  const RowSelection& selection_;
  RowViews* out_;
  std::unordered_set<uint64_t> seen_;  // at most the rows shown
  Slots slots_;
};

std::string Capped(std::string text) {
  if (text.size() <= kMaxShownTextBytes) return text;
  size_t cut = kMaxShownTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  text.resize(cut);
  return text + fmt::format(" [cut: the text is longer than {} KiB]", kMaxShownTextBytes / 1024);
}

/// Chooses rows in dataset order, with their prompts. False when some dataset is not there as
/// the run read it; `note` says which.
bool ChooseFromDatasets(const RowSources& from, Chooser* chooser, std::string* note) {
  if (!from.job) {
    *note = "prompts are not shown: the job's datasets are not known here";
    return false;
  }
  for (const DatasetSpec& d : from.job->datasets) {
    auto sha = Sha256File(d.path);
    auto expected = from.dataset_sha256.find(d.name);
    if (!sha.ok() || (expected != from.dataset_sha256.end() && expected->second != *sha)) {
      *note = fmt::format("prompts are not shown: dataset '{}' ({}) {} since the run", d.name,
                          d.given_path, sha.ok() ? "has changed" : "cannot be read");
      return false;
    }
  }
  for (const DatasetSpec& d : from.job->datasets) {
    JsonlReader reader;
    if (!reader.Open(d.path).ok()) return false;
    RowParser parser(d, from.job->prompt, &from.job->scoring);
    std::string_view line;
    long long n = 0;
    while (!chooser->Full() && reader.Next(&line, &n)) {
      Row row;
      if (parser.Parse(line, n, reader.column_offset(), &row)) continue;  // the run skipped it too
      const uint64_t hash = RowHash(d.name, row.id);
      if (!chooser->Wanted(hash)) continue;
      std::optional<std::string> ref;
      for (const auto& r : row.references) {
        if (r) {
          ref = Capped(*r);
          break;
        }
      }
      auto prompt = LastUserText(row.messages_json);
      if (prompt) prompt = Capped(std::move(*prompt));
      chooser->Offer(hash, d.name, row.id, prompt, ref);
    }
  }
  return true;
}

/// Puts a record into the views of its row. A model shows its first repeat; of one call's
/// records its ok one, else its latest (as the summary counts them).
void Place(const CallRecord& r, const std::vector<std::string>& models, Slots& slots) {
  const auto rank = [&](const std::string& m) {
    return std::find(models.begin(), models.end(), m) - models.begin();
  };
  auto range = std::equal_range(slots.views.begin(), slots.views.end(),
                                std::make_pair(RowHash(r.dataset, r.row_id), nullptr),
                                [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto it = range.first; it != range.second; ++it) {
    std::vector<RowAnswer>& answers = it->second->answers;
    auto a = std::find_if(answers.begin(), answers.end(),
                          [&](const RowAnswer& x) { return x.model == r.model; });
    if (a == answers.end()) {  // in the summary's model order, whatever order records come in
      a = answers.insert(
          std::find_if(answers.begin(), answers.end(),
                       [&](const RowAnswer& x) { return rank(x.model) > rank(r.model); }),
          RowAnswer{});
      a->model = r.model;
      a->shown_repeat = -1;
    }
    a->repeats = std::max(a->repeats, r.repeat + 1);
    const bool better = a->shown_repeat < 0 || r.repeat < a->shown_repeat ||
                        (r.repeat == a->shown_repeat && (r.ok() || !a->error.empty()));
    if (!better) continue;
    a->shown_repeat = r.repeat;
    a->response = r.response ? std::optional<std::string>(Capped(*r.response)) : std::nullopt;
    a->scores = r.scores;
    a->error = r.ok() ? "" : r.error.empty() ? ErrorKindName(r.error_kind) : r.error;
  }
}

}  // namespace

Result<RowViews> CollectRowViews(const RowSelection& selection,
                                 const std::vector<std::string>& models, const RowSources& from) {
  RowViews out;
  Chooser chooser(selection, models, &out);
  // No row differs and none failed (a run of one model with every answer right): there is
  // nothing to read, not even the datasets' hashes.
  if (chooser.Full()) return out;
  const bool in_dataset_order = ChooseFromDatasets(from, &chooser, &out.note);
  JsonlReader reader;
  if (Status s = reader.Open(from.results_path); !s.ok()) return s;
  // Without the datasets, the rows are chosen as the records name them: one read, and their
  // records are read in a second one (the views must all exist before any record is placed).
  if (!in_dataset_order) {
    std::string_view line;
    long long n = 0;
    CallRecord r;
    while (!chooser.Full() && reader.Next(&line, &n)) {
      if (auto row = QuickRow(line); row && !chooser.Wanted(*row)) continue;
      if (!RecordFromJson(line, &r)) continue;
      const uint64_t hash = RowHash(r.dataset, r.row_id);
      if (chooser.Wanted(hash))
        chooser.Offer(hash, r.dataset, r.row_id, std::nullopt, std::nullopt);
    }
    if (!reader.status().ok()) return reader.status();
    if (Status s = reader.Open(from.results_path); !s.ok()) return s;
  }
  Slots& slots = chooser.slots();
  if (slots.views.empty()) return out;
  std::sort(slots.views.begin(), slots.views.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string_view line;
  long long n = 0;
  CallRecord r;
  auto shown = [&](uint64_t row) {
    return std::binary_search(slots.views.begin(), slots.views.end(), std::make_pair(row, nullptr),
                              [](const auto& x, const auto& y) { return x.first < y.first; });
  };
  while (reader.Next(&line, &n)) {
    if (auto row = QuickRow(line); row && !shown(*row)) continue;
    if (RecordFromJson(line, &r)) Place(r, models, slots);
  }
  if (!reader.status().ok()) return reader.status();
  // Each judge's reason beside the answer it judged (the repeat shown).
  const std::string run_dir = from.results_path.substr(0, from.results_path.rfind('/'));
  Status judged = ForEachLatestVerdict(run_dir, [&](const VerdictRecord& v) {
    auto range = std::equal_range(slots.views.begin(), slots.views.end(),
                                  std::make_pair(RowHash(v.dataset, v.row_id), nullptr),
                                  [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto it = range.first; it != range.second; ++it) {
      for (RowAnswer& a : it->second->answers) {
        if (a.model != v.model || a.shown_repeat != v.repeat) continue;
        a.reasons[v.judge] = v.ok() ? v.reason : "no verdict: " + v.error;
        if (v.ok()) a.scores[v.judge] = *v.score;
      }
    }
  });
  if (!judged.ok()) return judged;
  return out;
}

}  // namespace evalrun
