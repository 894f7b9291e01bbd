#include "results/prior_results.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/stable_hash.h"
#include "dataset/jsonl_reader.h"

namespace evalrun {

uint64_t CallKey(std::string_view model, std::string_view dataset, std::string_view row_id,
                 int repeat) {
  // Length-prefixed parts, so ("a", "bc") and ("ab", "c") differ.
  std::string key;
  for (std::string_view part : {model, dataset, row_id}) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  }
  key += std::to_string(repeat);
  return StableHash(key, 0x5eed);
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
  if (!std::filesystem::exists(results_path)) return prior;
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
    if (r.ok()) prior.ok.insert(CallKey(r));
  }
  if (!reader.status().ok()) return reader.status();
  return prior;
}

Result<long long> AddLatestRecords(const std::string& results_path, SummaryBuilder* builder) {
  return ForEachLatestRecord(results_path, [builder](const CallRecord& r) { builder->Add(r); });
}

Result<long long> ForEachLatestRecord(const std::string& results_path,
                                      const std::function<void(const CallRecord&)>& fn) {
  struct Chosen {
    long long line = 0;
    bool ok = false;
  };
  // The record that counts for a call: its ok record, else its last error.
  std::unordered_map<uint64_t, Chosen> chosen;
  long long skipped = 0;
  for (int pass = 0; pass < 2; ++pass) {
    JsonlReader reader;
    if (Status s = reader.Open(results_path); !s.ok()) return s;
    std::string_view line;
    long long n = 0;
    CallRecord r;
    while (reader.Next(&line, &n)) {
      if (!RecordFromJson(line, &r)) {
        if (pass == 0) ++skipped;
        continue;
      }
      if (pass == 0) {
        Chosen& c = chosen[CallKey(r)];
        if (!c.ok) c = {n, r.ok()};
      } else if (chosen[CallKey(r)].line == n) {
        fn(r);
      }
    }
    if (!reader.status().ok()) return reader.status();
  }
  return skipped;
}

}  // namespace evalrun
