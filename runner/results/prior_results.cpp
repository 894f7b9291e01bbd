#include "results/prior_results.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/stable_hash.h"
#include "dataset/jsonl_reader.h"

namespace evalrun {

uint64_t CallKey(std::string_view model, std::string_view dataset, std::string_view row_id,
                 int repeat) {
  // Each part's length seeds the next hash, so ("a", "bc") and ("ab", "c") differ. Only ever
  // compared within one process: the value need not stay the same across versions.
  uint64_t h = 0x5eed;
  for (std::string_view part : {model, dataset, row_id}) h = StableHash(part, h + part.size());
  return StableHash(std::string_view(reinterpret_cast<const char*>(&repeat), sizeof repeat), h);
}

namespace {

/// Cuts a final line that does not end in '\n' (torn by a crash). Returns the bytes removed.
Result<long long> CutTornTail(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0) return 0LL;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::Io(fmt::format("{}: cannot open", path));
  long long keep = static_cast<long long>(size);
  char buf[4096];
  while (keep > 0) {
    const long long chunk = std::min<long long>(keep, sizeof buf);
    std::fseek(f, static_cast<long>(keep - chunk), SEEK_SET);
    if (std::fread(buf, 1, static_cast<size_t>(chunk), f) != static_cast<size_t>(chunk)) break;
    long long i = chunk - 1;
    while (i >= 0 && buf[i] != '\n') --i;
    if (i >= 0) {
      keep = keep - chunk + i + 1;
      break;
    }
    keep -= chunk;
  }
  std::fclose(f);
  const long long cut = static_cast<long long>(size) - keep;
  if (cut > 0 && truncate(path.c_str(), keep) != 0)
    return Status::Io(fmt::format("{}: cannot cut the torn last line", path));
  return cut;
}

}  // namespace

Result<PriorResults> LoadPriorResults(const std::string& results_path, bool repair) {
  PriorResults prior;
  std::error_code ec;
  if (!std::filesystem::exists(results_path, ec)) {
    if (ec) return Status::Io(fmt::format("{}: {}", results_path, ec.message()));
    return prior;
  }
  if (repair) {
    auto cut = CutTornTail(results_path);
    if (!cut.ok()) return cut.status();
    if (cut.value() > 0) prior.skipped_lines = 1;
  }
  JsonlReader reader;
  if (Status s = reader.Open(results_path); !s.ok()) return s;
  std::string_view line;
  long long n = 0;
  CallRecord r;
  while (reader.Next(&line, &n)) {
    if (!RecordFromJson(line, &r)) {
      ++prior.skipped_lines;
      continue;
    }
    if (r.ok()) {
      prior.ok.insert(CallKey(r));
      if (prior.ok_models.count(r.model) == 0) prior.ok_models.insert(r.model);
    }
  }
  if (!reader.status().ok()) return reader.status();
  return prior;
}

Result<long long> ForEachLatestRecord(const std::string& results_path,
                                      const std::function<void(const CallRecord&)>& fn) {
  return ScanResults(results_path, /*may_repeat=*/true, nullptr, fn, [] {});
}

std::vector<long long> ChosenLines(std::vector<Seen>& seen) {
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) {
    return a.key() != b.key() ? a.key() < b.key() : a.line < b.line;
  });
  bool repeated = false;
  for (size_t i = 1; i < seen.size() && !repeated; ++i)
    repeated = seen[i].key() == seen[i - 1].key();
  std::vector<long long> lines;
  if (!repeated) return lines;
  for (size_t i = 0; i < seen.size();) {
    size_t end = i;
    long long chosen = -1;
    for (; end < seen.size() && seen[end].key() == seen[i].key(); ++end) {
      if (chosen < 0 && seen[end].ok()) chosen = seen[end].line;
    }
    lines.push_back(chosen >= 0 ? chosen : seen[end - 1].line);
    i = end;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

Result<long long> ScanResults(const std::string& results_path, bool may_repeat,
                              const std::function<void(const CallRecord&)>& every,
                              const std::function<void(const CallRecord&)>& latest,
                              const std::function<void()>& restart) {
  std::vector<Seen> seen;
  long long skipped = 0;
  {
    JsonlReader reader;
    if (Status s = reader.Open(results_path); !s.ok()) return s;
    std::string_view line;
    long long n = 0;
    CallRecord r;
    while (reader.Next(&line, &n)) {
      if (!RecordFromJson(line, &r)) {
        ++skipped;
        continue;
      }
      if (every) every(r);
      latest(r);  // right unless some call turns out to have several records
      if (may_repeat) seen.push_back({(CallKey(r) & ~uint64_t{1}) | (r.ok() ? 1u : 0u), n});
    }
    if (!reader.status().ok()) return reader.status();
  }
  std::vector<long long> lines = ChosenLines(seen);
  seen = {};
  if (lines.empty()) return skipped;

  // Several records for some call: hand over each call's chosen record again, in file order.
  restart();
  JsonlReader reader;
  if (Status s = reader.Open(results_path); !s.ok()) return s;
  std::string_view line;
  long long n = 0;
  CallRecord r;
  auto next = lines.begin();
  while (next != lines.end() && reader.Next(&line, &n)) {
    if (n != *next) continue;
    ++next;
    if (RecordFromJson(line, &r)) latest(r);
  }
  if (!reader.status().ok()) return reader.status();
  return skipped;
}

}  // namespace evalrun
