// Reading results.jsonl lines back into CallRecords with a SAX reader (JsonSax, RapidJSON's
// handler interface): no DOM, no field lookups by name, no pre-scan of the nesting (the handler
// refuses depth past kMaxJsonDepth, which bounds the parser's recursion). `evalrun report` reads
// millions of these.
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/json_limits.h"
#include "common/json_sax.h"
#include "results/call_record.h"

namespace evalrun {
namespace {

enum class Field {
  kOther,
  kRunId,
  kModel,
  kModelId,
  kDataset,
  kRowId,
  kCluster,
  kReasoning,
  kReasoningTokens,
  kTtfa,
  kToolCalls,
  kRepeat,
  kStatus,
  kErrorKind,
  kError,
  kHttpStatus,
  kAttempts,
  kStartedAt,
  kLatency,
  kTtft,
  kItl,
  kQueue,
  kUsage,
  kCost,
  kFinishReason,
  kResponse,
  kScores,
  kRequestId,
  kCached,
};

/// The field a top-level key names. `next` is where the search starts, and after a match the
/// name after it: the names are in the order the writer writes them, so a line evalrun wrote
/// finds each key at the first or second name tried (an absent optional field skips one).
Field FieldOf(std::string_view key, size_t* next) {
  struct Name {
    std::string_view name;
    Field field;
  };
  static constexpr Name kNames[] = {
      {"run_id", Field::kRunId},
      {"model", Field::kModel},
      {"model_id", Field::kModelId},
      {"dataset", Field::kDataset},
      {"row_id", Field::kRowId},
      {"repeat", Field::kRepeat},
      {"cluster", Field::kCluster},
      {"status", Field::kStatus},
      {"error_kind", Field::kErrorKind},
      {"error", Field::kError},
      {"http_status", Field::kHttpStatus},
      {"attempts", Field::kAttempts},
      {"started_at", Field::kStartedAt},
      {"latency_ms", Field::kLatency},
      {"ttft_ms", Field::kTtft},
      {"itl_ms", Field::kItl},
      {"ttfa_ms", Field::kTtfa},
      {"queue_ms", Field::kQueue},
      {"usage", Field::kUsage},
      {"reasoning_tokens", Field::kReasoningTokens},
      {"cost_usd", Field::kCost},
      {"finish_reason", Field::kFinishReason},
      {"response", Field::kResponse},
      {"reasoning", Field::kReasoning},
      {"tool_calls", Field::kToolCalls},
      {"scores", Field::kScores},
      {"request_id", Field::kRequestId},
      {"cached", Field::kCached},
  };
  constexpr size_t kCount = sizeof kNames / sizeof kNames[0];
  for (size_t tried = 0, i = *next % kCount; tried < kCount; ++tried, i = (i + 1) % kCount) {
    const std::string_view name = kNames[i].name;
    if (name.size() != key.size() || name[0] != key[0]) continue;
    size_t c = 1;  // names are short: a loop beats a call to memcmp
    while (c < key.size() && name[c] == key[c]) ++c;
    if (c == key.size()) {
      *next = i + 1;
      return kNames[i].field;
    }
  }
  return Field::kOther;
}

/// Fills a CallRecord from the events of one line. Only the top level and the "usage" and
/// "scores" objects mean anything; a null is an absent field, as in the writer.
class RecordHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RecordHandler> {
 public:
  explicit RecordHandler(CallRecord* r) : r_(r) {}

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (capture_) return capture_->Key(s, n);
    const std::string_view key(s, n);
    if (depth_ == 1) {
      field_ = FieldOf(key, &next_name_);
    } else if (depth_ == 2 && field_ == Field::kScores) {
      score_.assign(key);
    } else if (depth_ == 2 && field_ == Field::kUsage) {
      usage_ = key == "prompt_tokens"       ? &r_->usage->prompt_tokens
               : key == "completion_tokens" ? &r_->usage->completion_tokens
               : key == "total_tokens"      ? &r_->usage->total_tokens
               : key == "cached_tokens"     ? &r_->usage->cached_tokens
                                            : nullptr;
    }
    return true;
  }
  bool StartObject() {
    if (capture_) capture_->StartObject();
    if (depth_ == 1) {
      Present();
      if (field_ == Field::kUsage) r_->usage = Usage{};
    }
    return ++depth_ <= kMaxJsonDepth;
  }
  bool EndObject(rapidjson::SizeType) {
    if (capture_) capture_->EndObject();
    if (--depth_ == 1) usage_ = nullptr;
    return true;
  }
  bool StartArray() {
    if (depth_ == 1) {
      Present();
      if (field_ == Field::kToolCalls) {  // kept as the JSON it is, re-written compact
        captured_.Clear();
        capture_.emplace(captured_);
      }
    }
    if (capture_) capture_->StartArray();
    return ++depth_ <= kMaxJsonDepth;
  }
  bool EndArray(rapidjson::SizeType) {
    if (capture_) {
      capture_->EndArray();
      if (depth_ == 2) {
        r_->tool_calls.emplace(captured_.GetString(), captured_.GetSize());
        capture_.reset();
      }
    }
    --depth_;
    return true;
  }
  bool Null() { return capture_ ? capture_->Null() : true; }
  bool Bool(bool b) {
    if (capture_) return capture_->Bool(b);
    if (depth_ == 1) {
      Present();
      if (field_ == Field::kCached) r_->cached = b;
    }
    return true;
  }
  bool Int(int v) { return Number(v, true, v); }
  bool Uint(unsigned v) { return Number(v, true, v); }
  bool Int64(int64_t v) { return Number(static_cast<double>(v), true, v); }
  bool Uint64(uint64_t v) {
    // Past int64 it is no whole number the DOM reader would take either.
    return Number(static_cast<double>(v), v <= static_cast<uint64_t>(INT64_MAX),
                  static_cast<int64_t>(v));
  }
  bool Double(double v) { return Number(v, false); }
  // Numbers arrive as their text (kParseNumbersAsStringsFlag) and are read with std::from_chars,
  // which rounds correctly, so a cost reads back as the very double that was written. RapidJSON
  // 1.1's own full-precision path passes zero to clz on inputs such as "0.000...0" (undefined
  // behaviour, found by fuzzing).
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    if (capture_) return capture_->RawValue(s, n, rapidjson::kNumberType);
    const char* end = s + n;
    if (std::none_of(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; })) {
      int64_t whole = 0;
      if (auto [p, ec] = std::from_chars(s, end, whole); ec == std::errc() && p == end)
        return Number(static_cast<double>(whole), true, whole);
    }
    double v = 0;
    auto [p, ec] = std::from_chars(s, end, v);
    if (ec == std::errc::result_out_of_range) {
      // Too small is 0, as any JSON reader has it; too large is no number a record holds.
      const char* e = std::find_if(s, end, [](char c) { return c == 'e' || c == 'E'; });
      if (e == end || e + 1 == end || e[1] != '-') return false;
      v = 0;
    } else if (ec != std::errc() || p != end) {
      return false;
    }
    return Number(v, false);
  }
  bool String(const char* s, rapidjson::SizeType n, bool);

  bool Valid() const { return (seen_ & kRequired) == kRequired; }
  const std::string& status() const { return status_; }
  const std::string& error_kind() const { return error_kind_; }

 private:
  static constexpr unsigned kRunIdSeen = 1, kModelSeen = 2, kDatasetSeen = 4, kRowIdSeen = 8,
                            kStatusSeen = 16;
  static constexpr unsigned kRequired =
      kRunIdSeen | kModelSeen | kDatasetSeen | kRowIdSeen | kStatusSeen;

  bool Number(double v, bool integral, int64_t whole = 0);
  /// A non-null value of a top-level field: the optional numbers exist from here on.
  void Present();

  CallRecord* r_;
  int depth_ = 0;
  Field field_ = Field::kOther;
  size_t next_name_ = 0;  // FieldOf's guess of the next key
  long long* usage_ = nullptr;
  std::string score_;
  std::string status_, error_kind_;
  unsigned seen_ = 0;
  rapidjson::StringBuffer captured_;
  std::optional<rapidjson::Writer<rapidjson::StringBuffer>> capture_;  // inside tool_calls
};

void RecordHandler::Present() {
  switch (field_) {
    case Field::kTtft:
      r_->ttft_ms = 0.0;
      break;
    case Field::kItl:
      r_->itl_ms = 0.0;
      break;
    case Field::kTtfa:
      r_->ttfa_ms = 0.0;
      break;
    case Field::kCost:
      r_->cost_usd = 0.0;
      break;
    default:
      break;
  }
}

bool RecordHandler::Number(double v, bool integral, int64_t whole) {
  if (depth_ == 2 && field_ == Field::kUsage) {
    if (usage_) *usage_ = integral ? whole : 0;
    return true;
  }
  if (depth_ == 2 && field_ == Field::kScores) {
    r_->scores[score_] = v;
    return true;
  }
  if (depth_ != 1) return true;
  Present();
  const long long i = integral ? whole : 0;
  switch (field_) {
    case Field::kRepeat:
      r_->repeat = static_cast<int>(i);
      break;
    case Field::kHttpStatus:
      r_->http_status = static_cast<long>(i);
      break;
    case Field::kAttempts:
      r_->attempts = static_cast<int>(i);
      break;
    case Field::kLatency:
      r_->latency_ms = v;
      break;
    case Field::kTtft:
      r_->ttft_ms = v;
      break;
    case Field::kItl:
      r_->itl_ms = v;
      break;
    case Field::kTtfa:
      r_->ttfa_ms = v;
      break;
    case Field::kReasoningTokens:
      if (integral && whole >= 0) r_->reasoning_tokens = whole;
      break;
    case Field::kQueue:
      r_->queue_ms = v;
      break;
    case Field::kCost:
      r_->cost_usd = v;
      break;
    default:
      break;
  }
  return true;
}

bool RecordHandler::String(const char* s, rapidjson::SizeType n, bool) {
  if (capture_) return capture_->String(s, n);
  if (depth_ != 1) return true;
  Present();
  std::string* target = nullptr;
  unsigned seen = 0;
  switch (field_) {
    case Field::kRunId:
      target = &r_->run_id, seen = kRunIdSeen;
      break;
    case Field::kModel:
      target = &r_->model, seen = kModelSeen;
      break;
    case Field::kModelId:
      target = &r_->model_id;
      break;
    case Field::kDataset:
      target = &r_->dataset, seen = kDatasetSeen;
      break;
    case Field::kRowId:
      target = &r_->row_id, seen = kRowIdSeen;
      break;
    case Field::kCluster:
      target = &r_->cluster;
      break;
    case Field::kStatus:
      target = &status_, seen = kStatusSeen;
      break;
    case Field::kErrorKind:
      target = &error_kind_;
      break;
    case Field::kError:
      target = &r_->error;
      break;
    case Field::kStartedAt:
      target = &r_->started_at;
      break;
    case Field::kFinishReason:
      target = &r_->finish_reason;
      break;
    case Field::kRequestId:
      target = &r_->request_id;
      break;
    case Field::kResponse:
      r_->response.emplace(s, n);
      return true;
    case Field::kReasoning:
      r_->reasoning.emplace(s, n);
      return true;
    default:
      return true;
  }
  target->assign(s, n);
  seen_ |= seen;
  return true;
}

}  // namespace

bool RecordFromJson(std::string_view line, CallRecord* r) {
  *r = CallRecord{};
  r->attempts = 0;  // absent means 0, as the writer never omits it
  RecordHandler handler(r);
  thread_local std::string scratch;  // a string with escapes, decoded, while the handler reads it
  // The handler refuses nesting past kMaxJsonDepth at the opening bracket, which bounds the
  // reader's recursion.
  if (!JsonSax<RecordHandler>(handler, &scratch).Parse(line)) return false;
  if (!handler.Valid()) return false;
  r->skipped = handler.status() == "skipped";
  if (handler.status() != "ok") {
    r->error_kind = ErrorKind::kNetwork;
    if (!ParseErrorKind(handler.error_kind(), &r->error_kind)) return false;
  }
  return true;
}

}  // namespace evalrun
