#include "report/results_csv.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>

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

Status ResultsCsvWriter::Open(const std::string& csv_path, std::vector<std::string> score_names) {
  path_ = csv_path;
  tmp_ = csv_path + ".tmp";
  score_names_ = std::move(score_names);
  out_.reset(std::fopen(tmp_.c_str(), "wb"));
  if (!out_) return Status::Io(fmt::format("{}: cannot write", tmp_));
  std::string header =
      "run_id,model,model_id,dataset,row_id,repeat,status,error_kind,http_status,attempts,"
      "started_at,latency_ms,ttft_ms,itl_ms,queue_ms,prompt_tokens,completion_tokens,"
      "total_tokens,cost_usd,finish_reason,request_id,error";
  for (const auto& n : score_names_) header += "," + CsvField("score_" + n);
  header += ",response\n";
  if (std::fputs(header.c_str(), out_.get()) < 0)
    return Status::Io(fmt::format("{}: write failed", tmp_));
  return Status::Ok();
}

Status ResultsCsvWriter::Add(const CallRecord& r) {
  row_.clear();
  auto out = std::back_inserter(row_);
  const char* kind = r.ok() ? "" : ErrorKindName(r.error_kind);
  fmt::format_to(out, FMT_COMPILE("{},{},{},{},{},{},{},{},"), CsvField(r.run_id),
                 CsvField(r.model), CsvField(r.model_id), CsvField(r.dataset), CsvField(r.row_id),
                 r.repeat,
                 r.ok()      ? "ok"
                 : r.skipped ? "skipped"
                             : "error",
                 kind);
  if (r.http_status > 0) fmt::format_to(out, FMT_COMPILE("{}"), r.http_status);
  fmt::format_to(out, FMT_COMPILE(",{},{},{},{},{},{},"), r.attempts, r.started_at, r.latency_ms,
                 Num(r.ttft_ms), Num(r.itl_ms), r.queue_ms);
  if (r.usage)
    fmt::format_to(out, FMT_COMPILE("{},{},{},"), r.usage->prompt_tokens,
                   r.usage->completion_tokens, r.usage->total_tokens);
  else
    row_ += ",,,";
  fmt::format_to(out, FMT_COMPILE("{},{},{},{}"), Num(r.cost_usd), CsvField(r.finish_reason),
                 CsvField(r.request_id), CsvField(r.error));
  for (const auto& name : score_names_) {
    row_ += ',';
    if (auto it = r.scores.find(name); it != r.scores.end())
      fmt::format_to(out, FMT_COMPILE("{}"), it->second);
  }
  row_ += ',';
  row_ += CsvField(r.response.value_or(""));
  row_ += '\n';
  if (std::fwrite(row_.data(), 1, row_.size(), out_.get()) != row_.size())
    return Status::Io(fmt::format("{}: write failed", tmp_));
  return Status::Ok();
}

Status ResultsCsvWriter::Close() {
  if (std::fflush(out_.get()) != 0) return Status::Io(fmt::format("{}: write failed", tmp_));
  out_.reset();
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    return Status::Io(fmt::format("{}: cannot rename", path_));
  return Status::Ok();
}

}  // namespace evalrun
