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

/// Call key -> the line of the record that counts for the call (its ok record, else its last
/// error): an open-addressing table, 24 bytes a slot, since `report` looks a call up per record.
class CallTable {
 public:
  struct Slot {
    uint64_t key = 0;
    long long line = 0;  // 0: empty (lines count from 1)
    bool ok = false;
  };
  /// The call's slot; a new one has line 0.
  Slot& Find(uint64_t key) {
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    Slot& s = Probe(slots_, key);
    if (s.line == 0) {
      s.key = key;
      ++used_;
    }
    return s;
  }
  /// Every chosen line, ascending.
  std::vector<long long> Lines() const {
    std::vector<long long> lines;
    lines.reserve(used_);
    for (const Slot& s : slots_) {
      if (s.line != 0) lines.push_back(s.line);
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

 private:
  static Slot& Probe(std::vector<Slot>& slots, uint64_t key) {
    const size_t mask = slots.size() - 1;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
      if (slots[i].line == 0 || slots[i].key == key) return slots[i];
    }
  }
  void Grow() {
    std::vector<Slot> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
    for (const Slot& s : slots_) {
      if (s.line != 0) Probe(bigger, s.key) = s;
    }
    slots_.swap(bigger);
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

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

Result<long long> ForEachLatestRecord(const std::string& results_path,
                                      const std::function<void(const CallRecord&)>& fn) {
  return ScanResults(results_path, nullptr, fn, [] {});
}

Result<long long> ScanResults(const std::string& results_path,
                              const std::function<void(const CallRecord&)>& every,
                              const std::function<void(const CallRecord&)>& latest,
                              const std::function<void()>& restart) {
  CallTable chosen;
  long long skipped = 0;
  bool repeated = false;  // some call has more than one record
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
      CallTable::Slot& slot = chosen.Find(CallKey(r));
      if (slot.line != 0) repeated = true;
      if (slot.line == 0 || !slot.ok) {
        slot.line = n;
        slot.ok = r.ok();
      }
      // Until a call shows up twice, every record is its call's latest.
      if (!repeated) latest(r);
    }
    if (!reader.status().ok()) return reader.status();
  }
  if (!repeated) return skipped;

  // Several records for some call: hand over each call's chosen record again, in file order.
  restart();
  std::vector<long long> lines = chosen.Lines();
  chosen = CallTable();
  std::sort(lines.begin(), lines.end());
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
