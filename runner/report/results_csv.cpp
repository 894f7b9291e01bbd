#include "report/results_csv.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "dataset/jsonl_reader.h"
#include "results/call_record.h"

namespace evalrun {
namespace {

std::string Num(const std::optional<double>& v) {
  return v ? fmt::format("{}", *v) : "";
}

}  // namespace

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status WriteResultsCsv(const std::string& results_path, const std::string& csv_path,
                       const std::vector<std::string>& score_names) {
  JsonlReader reader;
  if (Status s = reader.Open(results_path); !s.ok()) return s;
  const std::string tmp = csv_path + ".tmp";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(tmp.c_str(), "wb"), &std::fclose);
  if (!out) return Status::Io(fmt::format("{}: cannot write", tmp));
  std::string header =
      "run_id,model,model_id,dataset,row_id,repeat,status,error_kind,http_status,attempts,started_"
      "at,"
      "latency_ms,ttft_ms,itl_ms,queue_ms,prompt_tokens,completion_tokens,total_tokens,cost_usd,"
      "finish_reason,request_id,error";
  for (const auto& n : score_names) header += "," + CsvField("score_" + n);
  header += ",response\n";
  std::fputs(header.c_str(), out.get());
  std::string_view line;
  long long n = 0;
  CallRecord r;
  std::string row;
  while (reader.Next(&line, &n)) {
    if (!RecordFromJson(line, &r)) continue;
    row.clear();
    const char* kind = r.ok() ? "" : ErrorKindName(r.error_kind);
    row += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},", CsvField(r.run_id),
                       CsvField(r.model), CsvField(r.model_id), CsvField(r.dataset),
                       CsvField(r.row_id), r.repeat, r.ok() ? "ok" : "error", kind,
                       r.http_status > 0 ? std::to_string(r.http_status) : "", r.attempts,
                       r.started_at, r.latency_ms, Num(r.ttft_ms), Num(r.itl_ms), r.queue_ms);
    if (r.usage)
      row += fmt::format("{},{},{},", r.usage->prompt_tokens, r.usage->completion_tokens,
                         r.usage->total_tokens);
    else
      row += ",,,";
    row += fmt::format("{},{},{},{}", Num(r.cost_usd), CsvField(r.finish_reason),
                       CsvField(r.request_id), CsvField(r.error));
    for (const auto& name : score_names) {
      auto it = r.scores.find(name);
      row += "," + (it == r.scores.end() ? std::string() : fmt::format("{}", it->second));
    }
    row += "," + CsvField(r.response.value_or("")) + "\n";
    if (std::fwrite(row.data(), 1, row.size(), out.get()) != row.size())
      return Status::Io(fmt::format("{}: write failed", tmp));
  }
  if (std::fflush(out.get()) != 0) return Status::Io(fmt::format("{}: write failed", tmp));
  out.reset();
  if (std::rename(tmp.c_str(), csv_path.c_str()) != 0)
    return Status::Io(fmt::format("{}: cannot rename", csv_path));
  return reader.status();
}

}  // namespace evalrun
