#include "dataset/row_parser.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json_limits.h"
#include "common/json_write.h"
#include "dataset/flat_row.h"
#include "dataset/prompt_template.h"

namespace evalrun {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag;

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

/// Checks the shape every OpenAI-compatible server requires of `messages`.
std::optional<std::string> CheckMessages(const rapidjson::Value& messages) {
  if (!messages.IsArray() || messages.Empty()) return "\"messages\" must be a non-empty array";
  for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
    const auto& m = messages[i];
    if (!m.IsObject()) return fmt::format("messages[{}] must be an object", i);
    auto role = m.FindMember("role");
    if (role == m.MemberEnd() || !role->value.IsString()) {
      return fmt::format("messages[{}] needs a string \"role\"", i);
    }
    if (!m.HasMember("content")) return fmt::format("messages[{}] needs \"content\"", i);
  }
  return std::nullopt;
}

bool HasSystemMessage(const rapidjson::Value& messages) {
  for (const auto& m : messages.GetArray()) {
    if (std::string_view(m["role"].GetString()) == "system") return true;
  }
  return false;
}

/// The request's messages array, into `out` (its capacity reused from row to row).
void Messages(const std::string& system, const rapidjson::Value* chat, const std::string& user,
              std::string* out) {
  out->clear();
  JsonAppender w(out);
  w.StartArray();
  // A job-wide system prompt goes first unless the row brings its own.
  if (!system.empty() && !(chat && HasSystemMessage(*chat))) {
    w.StartObject();
    w.Key("role");
    w.String("system");
    w.Key("content");
    w.String(system);
    w.EndObject();
  }
  if (chat) {
    for (const auto& m : chat->GetArray()) m.Accept(w);
  } else {
    w.StartObject();
    w.Key("role");
    w.String("user");
    w.Key("content");
    w.String(user);
    w.EndObject();
  }
  w.EndArray();
}

/// What every row starts as, however it is read: its place, its line number for an id, and
/// nothing a previous row left.
void StartRow(const DatasetSpec& dataset, long long line, Row* row) {
  row->dataset = dataset.name;
  row->line = line;
  row->id = std::to_string(line);
  row->body_params.clear();
  row->body_model.clear();
  row->references.clear();
}

/// An OpenAI Batch API input line: its custom_id is the row id, its body's messages the prompt,
/// its other body keys the row's params. What is wrong with it, or nullopt.
std::optional<std::string> ReadBatchRow(const rapidjson::Value& doc, const PromptSpec& prompt,
                                        bool build_messages, Row* row) {
  auto cid = doc.FindMember("custom_id");
  if (cid == doc.MemberEnd() || !cid->value.IsString())
    return "an openai-batch row needs a string \"custom_id\"";
  auto body = doc.FindMember("body");
  if (body == doc.MemberEnd() || !body->value.IsObject())
    return "an openai-batch row needs an object \"body\"";
  auto messages = body->value.FindMember("messages");
  if (messages == body->value.MemberEnd()) return "body needs \"messages\"";
  if (auto problem = CheckMessages(messages->value)) return "body." + *problem;
  row->id = cid->value.GetString();
  for (const auto& m : body->value.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key == "messages") continue;
    if (key == "model") {
      if (m.value.IsString()) row->body_model = m.value.GetString();
      continue;
    }
    row->body_params.emplace_back(std::string(key), ToJson(m.value));
  }
  if (build_messages) Messages(prompt.system, &messages->value, "", &row->messages_json);
  return std::nullopt;
}

/// A judge's prompt for this row: its template (or the default) over the row's fields and
/// {{prompt}} (the last user message), {{reference}} (the scorer's field), {{response}} (left as
/// kJudgeResponseMarker, filled in when the answer is in). The name of a missing field, if any.
std::optional<std::string> RenderJudgePrompt(const JudgeSpec& judge, const rapidjson::Value& doc,
                                             const Row& row, size_t scorer, std::string* out) {
  const std::optional<std::string>& reference =
      scorer < row.references.size() ? row.references[scorer] : std::nullopt;
  const std::string tmpl = judge.template_text.empty()
                               ? DefaultJudgeTemplate(judge, reference.has_value())
                               : judge.template_text;
  rapidjson::Document ctx;
  ctx.CopyFrom(doc, ctx.GetAllocator());
  auto set = [&](const char* key, const std::string& value) {
    rapidjson::Value v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()),
                       ctx.GetAllocator());
    if (auto it = ctx.FindMember(key); it != ctx.MemberEnd())
      it->value = v;
    else
      ctx.AddMember(rapidjson::StringRef(key), v, ctx.GetAllocator());
  };
  set("prompt", LastUserText(row.messages_json).value_or(""));
  if (reference) set("reference", *reference);
  set("response", kJudgeResponseMarker);
  std::string missing;
  if (!RenderTemplate(tmpl, ctx, out, &missing)) return missing;
  return std::nullopt;
}

}  // namespace

std::optional<Diagnostic> RowParser::Parse(std::string_view text, long long line, int col_offset,
                                           Row* row) const {
  if (ParseFlat(text, line, row)) return std::nullopt;
  return ParseWithDocument(text, line, col_offset, row);
}

bool RowParser::FlatRowsPossible(const DatasetSpec& dataset, const PromptSpec& prompt,
                                 const std::vector<ScorerSpec>* scorers) {
  if (dataset.format != DatasetFormat::kAuto && dataset.format != DatasetFormat::kFields)
    return false;
  if (prompt.template_text.empty()) return false;
  if (scorers) {
    for (const auto& s : *scorers)
      if (s.judge) return false;
  }
  return true;
}

bool RowParser::ParseFlat(std::string_view text, long long line, Row* row) const {
  if (!flat_rows_) return false;
  thread_local FlatRow flat;
  if (!flat.Read(text)) return false;
  if (dataset_.format == DatasetFormat::kAuto &&
      (flat.Has("messages") || (flat.Has("custom_id") && flat.Has("body"))))
    return false;
  using Kind = FlatRow::Kind;
  const FlatRow::Member* m = nullptr;
  // A value whose text ValueText() would write: a string, a plain integer, a boolean.
  auto as_text = [&m] {
    return m->kind == Kind::kString || m->kind == Kind::kInteger || m->kind == Kind::kBool;
  };

  StartRow(dataset_, line, row);
  row->judge_prompts.clear();
  if (scorers_) {
    row->judge_prompts.resize(scorers_->size());  // no judge: an empty prompt each
    for (const auto& s : *scorers_) {
      const FlatRow::Found found = s.field.empty() ? FlatRow::Found::kNo : flat.Find(s.field, &m);
      if (found == FlatRow::Found::kAskTheDom) return false;
      if (found == FlatRow::Found::kNo || m->kind == Kind::kNull) {
        row->references.emplace_back(std::nullopt);
        continue;
      }
      if (!as_text()) return false;
      row->references.emplace_back(std::string(m->text));
    }
  }
  if (!dataset_.cluster_field.empty()) {
    if (flat.Find(dataset_.cluster_field, &m) != FlatRow::Found::kYes || !as_text()) return false;
    row->cluster.assign(m->text);
  }
  switch (flat.Find(dataset_.id_field, &m)) {
    case FlatRow::Found::kAskTheDom:
      return false;
    case FlatRow::Found::kYes:
      if (m->kind == Kind::kNumber) return false;
      if (m->kind == Kind::kString || m->kind == Kind::kInteger) row->id.assign(m->text);
      break;
    case FlatRow::Found::kNo:
      break;
  }
  thread_local std::string user;
  std::string failed;
  auto field = [&](std::string_view name, std::string* out) {
    if (flat.Find(name, &m) != FlatRow::Found::kYes || !(as_text() || m->kind == Kind::kNull))
      return false;  // missing (the DOM's diagnostic), or text the DOM writes
    out->append(m->text);
    return true;
  };
  if (!RenderTemplateWith(prompt_.template_text, field, &user, &failed)) return false;
  if (messages_) Messages(prompt_.system, nullptr, user, &row->messages_json);
  return true;
}

std::optional<Diagnostic> RowParser::ParseWithDocument(std::string_view text, long long line,
                                                       int col_offset, Row* row) const {
  PooledDocument pooled;
  const rapidjson::Value& doc = pooled.doc();
  if (auto problem = ParseDoc(text, line, col_offset, row, &pooled)) return problem;
  row->judge_prompts.clear();
  if (!scorers_) return std::nullopt;
  for (size_t i = 0; i < scorers_->size(); ++i) {
    const ScorerSpec& s = (*scorers_)[i];
    row->judge_prompts.emplace_back();
    if (!s.judge) continue;
    if (auto missing = RenderJudgePrompt(*s.judge, doc, *row, i, &row->judge_prompts.back())) {
      return Diagnostic{dataset_.given_path, static_cast<int>(line), 1 + col_offset,
                        fmt::format("scoring[{}].template uses {{{{{}}}}}, which this row does "
                                    "not have",
                                    i, *missing)};
    }
  }
  return std::nullopt;
}

std::optional<Diagnostic> RowParser::ParseDoc(std::string_view text, long long line, int col_offset,
                                              Row* row, PooledDocument* parsed) const {
  PooledDocument::Doc& doc = parsed->doc();
  const std::string& file = dataset_.given_path;
  auto fail = [&](std::string msg, size_t offset = 0) {
    return Diagnostic{file, static_cast<int>(line), static_cast<int>(offset) + 1 + col_offset,
                      std::move(msg)};
  };
  if (const rapidjson::ParseResult parsed_as = parsed->Parse<kParseFlags>(text);
      parsed_as.IsError()) {
    // The depth guard stops the parse at the bracket past the bound, as a handler's refusal,
    // which RapidJSON reports just after that bracket.
    if (parsed_as.Code() == rapidjson::kParseErrorTermination)
      return fail(fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth),
                  parsed_as.Offset() - 1);
    return fail(fmt::format("malformed JSON: {}", rapidjson::GetParseError_En(parsed_as.Code())),
                parsed_as.Offset());
  }
  if (!doc.IsObject()) return fail("a dataset row must be a JSON object");

  StartRow(dataset_, line, row);
  if (scorers_) {
    for (const auto& s : *scorers_) {
      const rapidjson::Value* v = s.field.empty() ? nullptr : FindPath(doc, s.field);
      row->references.push_back(v && !v->IsNull() ? std::optional<std::string>(ValueText(*v))
                                                  : std::nullopt);
    }
  }

  if (!dataset_.cluster_field.empty()) {
    const rapidjson::Value* c = FindPath(doc, dataset_.cluster_field);
    if (!c || c->IsNull() || c->IsObject() || c->IsArray()) {
      return fail(
          fmt::format("cluster_field \"{}\" {} in this row: it must be a string or a number",
                      dataset_.cluster_field, c ? "is not a scalar" : "is missing"));
    }
    row->cluster = ValueText(*c);
  }

  DatasetFormat format = dataset_.format;
  if (format == DatasetFormat::kAuto) {
    if (doc.HasMember("messages"))
      format = DatasetFormat::kChat;
    else if (doc.HasMember("custom_id") && doc.HasMember("body"))
      format = DatasetFormat::kOpenAiBatch;
    else
      format = DatasetFormat::kFields;
  }

  if (format == DatasetFormat::kOpenAiBatch) {
    if (auto problem = ReadBatchRow(doc, prompt_, messages_, row)) return fail(*problem);
    return std::nullopt;
  }

  if (const rapidjson::Value* id = FindPath(doc, dataset_.id_field)) {
    if (id->IsString() || id->IsNumber()) row->id = ValueText(*id);
  }

  if (format == DatasetFormat::kChat) {
    auto messages = doc.FindMember("messages");
    if (messages == doc.MemberEnd()) return fail("a chat row needs \"messages\"");
    if (auto problem = CheckMessages(messages->value)) return fail(*problem);
    if (messages_) Messages(prompt_.system, &messages->value, "", &row->messages_json);
    // A chat row may bring the tools it offers (and how the answer must look) with its messages.
    for (const char* key : {"tools", "tool_choice", "parallel_tool_calls", "response_format"}) {
      if (auto it = doc.FindMember(key); it != doc.MemberEnd() && !it->value.IsNull())
        row->body_params.emplace_back(key, ToJson(it->value));
    }
    return std::nullopt;
  }

  if (prompt_.template_text.empty()) {
    return fail("row has no \"messages\" and the job has no prompt.template to build them");
  }
  std::string user, missing;
  if (!RenderTemplate(prompt_.template_text, doc, &user, &missing)) {
    return fail(
        fmt::format("prompt.template uses {{{{{}}}}}, which this row does not have", missing));
  }
  if (messages_) Messages(prompt_.system, nullptr, user, &row->messages_json);
  return std::nullopt;
}

}  // namespace evalrun

namespace evalrun {

std::optional<std::string> LastUserText(const std::string& messages_json) {
  rapidjson::Document doc;
  doc.Parse(messages_json.data(), messages_json.size());
  if (doc.HasParseError() || !doc.IsArray()) return std::nullopt;
  for (auto m = doc.End(); m != doc.Begin();) {
    --m;
    if (!m->IsObject() || !m->HasMember("role") || (*m)["role"] != "user") continue;
    const auto content = m->FindMember("content");
    if (content == m->MemberEnd()) return std::nullopt;
    if (content->value.IsString()) return std::string(content->value.GetString());
    std::string text;  // an array of parts: its text parts, in order
    if (content->value.IsArray()) {
      for (const auto& part : content->value.GetArray()) {
        if (!part.IsObject() || !part.HasMember("text") || !part["text"].IsString()) continue;
        if (!text.empty()) text += "\n";
        text += part["text"].GetString();
      }
    }
    return text;
  }
  return std::nullopt;
}

}  // namespace evalrun
