#include "api/chat_response.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>

#include "common/json_limits.h"
#include "common/text.h"

namespace evalrun {
namespace {

bool Parse(std::string_view body, rapidjson::Document* doc) {
  return ParseBoundedJson(body, doc);
}

const rapidjson::Value* Member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::optional<long long> Count(const rapidjson::Value& usage, const char* key) {
  const rapidjson::Value* v = Member(usage, key);
  if (!v || !v->IsNumber()) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  double d = v->GetDouble();
  if (!(d >= 0 && d < 9e15)) return std::nullopt;
  return static_cast<long long>(d);
}

/// The "usage" object of a completion or of a stream's last chunk; total derived when absent.
std::optional<Usage> ReadUsage(const rapidjson::Value& doc) {
  const rapidjson::Value* usage = Member(doc, "usage");
  if (!usage || !usage->IsObject()) return std::nullopt;
  auto p = Count(*usage, "prompt_tokens");
  auto c = Count(*usage, "completion_tokens");
  if (!p || !c) return std::nullopt;
  auto t = Count(*usage, "total_tokens");
  return Usage{*p, *c, t ? *t : *p + *c};
}

std::string Text(const rapidjson::Value* v) {
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

}  // namespace

std::string ApiErrorMessage(std::string_view body) {
  rapidjson::Document doc;
  if (Parse(body, &doc) && doc.IsObject()) {
    const rapidjson::Value* e = Member(doc, "error");
    if (e && e->IsString()) return Text(e);
    if (e && e->IsObject() && Member(*e, "message")) return Text(Member(*e, "message"));
    if (const rapidjson::Value* d = Member(doc, "detail"); d && d->IsString()) return Text(d);
    if (const rapidjson::Value* m = Member(doc, "message"); m && m->IsString()) return Text(m);
  }
  std::string_view t = TrimWhitespace(body);
  return std::string(t.substr(0, 200));
}

ChatResponse ParseChatResponse(long http_status, std::string_view body) {
  ChatResponse r;
  if (http_status < 200 || http_status >= 300) {
    r.error_message = ApiErrorMessage(body);
    r.error = ClassifyHttpStatus(http_status, r.error_message);
    return r;
  }
  rapidjson::Document doc;
  auto parse_error = [&](std::string msg) {
    r.error = ErrorKind::kParse;
    r.error_message = std::move(msg);
    return r;
  };
  if (!Parse(body, &doc)) return parse_error("the response body is not valid JSON");
  if (!doc.IsObject()) return parse_error("the response body is not a JSON object");
  if (Member(doc, "error"))
    return parse_error("status 2xx with an error body: " + ApiErrorMessage(body));
  const rapidjson::Value* choices = Member(doc, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) {
    return parse_error("the response has no choices");
  }
  const rapidjson::Value& choice = (*choices)[0];
  const rapidjson::Value* message = Member(choice, "message");
  if (!message || !message->IsObject()) return parse_error("choices[0] has no message");
  const rapidjson::Value* content = Member(*message, "content");
  if (content && !content->IsString() && !content->IsNull()) {
    return parse_error("choices[0].message.content is not a string");
  }
  r.content = Text(content);
  r.finish_reason = Text(Member(choice, "finish_reason"));
  r.id = Text(Member(doc, "id"));
  r.usage = ReadUsage(doc);
  return r;
}

Result<std::vector<std::string>> ParseModelList(std::string_view body) {
  rapidjson::Document doc;
  if (!Parse(body, &doc) || !doc.IsObject()) {
    return Status::Api("the models list is not a JSON object");
  }
  const rapidjson::Value* data = Member(doc, "data");
  if (!data || !data->IsArray()) return Status::Api("the models list has no \"data\" array");
  std::vector<std::string> ids;
  for (const auto& m : data->GetArray()) {
    if (const rapidjson::Value* id = Member(m, "id"); id && id->IsString()) ids.push_back(Text(id));
  }
  return ids;
}

}  // namespace evalrun

#include "api/sse.h"

namespace evalrun {

ChatResponse ParseChatStream(long http_status, std::string_view body,
                             const std::vector<ChunkTime>& chunks, StreamTiming* timing) {
  if (http_status < 200 || http_status >= 300) return ParseChatResponse(http_status, body);
  ChatResponse r;
  SseParser sse;
  std::vector<std::string> events;
  std::vector<double> token_times;
  bool saw_chunk = false, done = false;
  auto consume = [&](double at) {
    for (const std::string& data : events) {
      if (data == "[DONE]") {
        done = true;
        continue;
      }
      rapidjson::Document doc;
      if (!Parse(data, &doc) || !doc.IsObject()) {
        r.error = ErrorKind::kParse;
        r.error_message = "a stream event is not a JSON object";
        continue;
      }
      if (Member(doc, "error")) {
        r.error = ErrorKind::kServer;
        r.error_message = "the stream carried an error: " + ApiErrorMessage(data);
        continue;
      }
      saw_chunk = true;
      if (r.id.empty()) r.id = Text(Member(doc, "id"));
      if (const rapidjson::Value* choices = Member(doc, "choices");
          choices && choices->IsArray() && !choices->Empty()) {
        const rapidjson::Value& c = (*choices)[0];
        if (const rapidjson::Value* delta = Member(c, "delta")) {
          const std::string piece = Text(Member(*delta, "content"));
          if (!piece.empty()) {
            r.content += piece;
            token_times.push_back(at);
          }
        }
        if (const rapidjson::Value* f = Member(c, "finish_reason"); f && f->IsString())
          r.finish_reason = Text(f);
      }
      if (auto usage = ReadUsage(doc)) r.usage = usage;
    }
    events.clear();
  };
  size_t offset = 0;
  for (const ChunkTime& chunk : chunks) {
    const size_t end = std::min(chunk.end_offset, body.size());
    if (end > offset) sse.Feed(body.substr(offset, end - offset), &events);
    offset = std::max(offset, end);
    consume(chunk.ms);
  }
  const double last = chunks.empty() ? 0 : chunks.back().ms;
  if (offset < body.size()) sse.Feed(body.substr(offset), &events);
  sse.Finish(&events);
  consume(last);
  if (r.error != ErrorKind::kNone) return r;
  if (!saw_chunk) {
    r.error = ErrorKind::kParse;
    r.error_message = "the stream held no completion chunk";
    return r;
  }
  (void)done;  // a missing [DONE] is tolerated: the body ended, which is what it would say
  if (!token_times.empty()) {
    timing->ttft_ms = token_times.front();
    if (token_times.size() > 1) {
      timing->itl_ms =
          (token_times.back() - token_times.front()) / static_cast<double>(token_times.size() - 1);
    }
  }
  return r;
}

}  // namespace evalrun
