#include "api/chat_response.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>

#include "api/completion_fast_path.h"
#include "api/http_status.h"
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
  Usage u{*p, *c, t ? *t : *p + *c};
  if (const rapidjson::Value* details = Member(*usage, "prompt_tokens_details"))
    u.cached_tokens = std::min(Count(*details, "cached_tokens").value_or(0), *p);
  return u;
}

std::optional<long long> ReasoningTokens(const rapidjson::Value& doc) {
  const rapidjson::Value* usage = Member(doc, "usage");
  const rapidjson::Value* details = usage ? Member(*usage, "completion_tokens_details") : nullptr;
  return details ? Count(*details, "reasoning_tokens") : std::nullopt;
}

/// The reasoning text of a message or a delta: `reasoning`, else the older `reasoning_content`
/// (null for models that do not reason).
const rapidjson::Value* Reasoning(const rapidjson::Value& v) {
  const rapidjson::Value* r = Member(v, "reasoning");
  if (r && r->IsString()) return r;
  r = Member(v, "reasoning_content");
  return r && r->IsString() ? r : nullptr;
}

std::string Compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Text(const rapidjson::Value* v) {
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

/// An error event inside a stream: {"error": {"code": "rate_limit_exceeded" | 429, "type", ...}}.
ErrorKind ClassifyStreamError(const rapidjson::Value& error, std::string_view message) {
  std::string code, type;
  long status = 0;
  if (const rapidjson::Value* c = Member(error, "code")) {
    if (c->IsString()) code = Text(c);
    if (c->IsInt64()) status = static_cast<long>(c->GetInt64());
  }
  if (const rapidjson::Value* t = Member(error, "type"); t && t->IsString()) type = Text(t);
  if (const rapidjson::Value* st = Member(error, "status"); st && st->IsInt64())
    status = static_cast<long>(st->GetInt64());
  if (auto kind = ClassifyErrorCode(code.empty() ? type : code, message)) return *kind;
  if (auto kind = ClassifyErrorCode(type, message)) return *kind;
  if (status >= 400 && status < 600) return ClassifyHttpStatus(status, message);
  return ErrorKind::kServer;  // the server broke off mid-answer
}

/// FastAPI's 422 `detail`: a list of {"loc": [...], "msg": "..."}; else a string or an object.
std::string DetailText(const rapidjson::Value& d) {
  if (d.IsString()) return Text(&d);
  if (d.IsObject()) {
    if (const rapidjson::Value* m = Member(d, "msg"); m && m->IsString()) return Text(m);
    if (const rapidjson::Value* m = Member(d, "message"); m && m->IsString()) return Text(m);
    return {};
  }
  if (!d.IsArray()) return {};
  std::string out;
  for (const auto& item : d.GetArray()) {
    std::string msg = DetailText(item);
    if (msg.empty()) continue;
    std::string loc;
    if (const rapidjson::Value* l = Member(item, "loc"); l && l->IsArray()) {
      for (const auto& part : l->GetArray()) {
        if (!loc.empty()) loc += '.';
        loc += part.IsString()  ? Text(&part)
               : part.IsInt64() ? std::to_string(part.GetInt64())
                                : std::string("?");
      }
    }
    if (!out.empty()) out += "; ";
    out += loc.empty() ? msg : loc + ": " + msg;
  }
  return out;
}

/// The <title> of an HTML page (a proxy's or load balancer's error page), entities decoded.
std::string HtmlTitle(std::string_view body) {
  std::string lower(body.substr(0, 64 * 1024));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t open = lower.find("<title");
  if (open == std::string::npos) return {};
  const size_t start = lower.find('>', open);
  const size_t end = lower.find("</title", start == std::string::npos ? open : start);
  if (start == std::string::npos || end == std::string::npos) return {};
  std::string title(body.substr(start + 1, end - start - 1));
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
      {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}};
  for (const auto& [from, to] : kEntities) {
    for (size_t p = title.find(from); p != std::string::npos; p = title.find(from, p + to.size()))
      title.replace(p, from.size(), to);
  }
  return std::string(TrimWhitespace(title));
}

std::string ErrorBodyMessage(std::string_view body) {
  rapidjson::Document doc;
  if (Parse(body, &doc) && doc.IsObject()) {
    const rapidjson::Value* e = Member(doc, "error");
    const rapidjson::Value* m = Member(doc, "message");
    const std::string message = m && m->IsString() ? Text(m) : std::string();
    if (e && e->IsObject()) {
      if (const rapidjson::Value* em = Member(*e, "message"); em && em->IsString()) return Text(em);
      if (!message.empty()) return message;
    }
    // {"error": "SyntaxError", "message": "Unexpected token"}: the name alone says little.
    if (e && e->IsString()) return message.empty() ? Text(e) : Text(e) + ": " + message;
    if (const rapidjson::Value* d = Member(doc, "detail")) {
      if (std::string detail = DetailText(*d); !detail.empty()) return detail;
    }
    if (!message.empty()) return message;
  }
  if (std::string title = HtmlTitle(body); !title.empty()) return title;
  // Plain text: its first line that holds anything.
  std::string_view rest = body;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = TrimWhitespace(rest.substr(0, nl));
    if (!line.empty()) return std::string(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return {};
}

}  // namespace

std::string ApiErrorMessage(std::string_view body) {
  return OneLine(ErrorBodyMessage(body), kMaxErrorBytes);
}

ChatResponse ParseChatResponse(long http_status, std::string_view body) {
  if (http_status < 200 || http_status >= 300) {
    ChatResponse r;
    r.error_message = ApiErrorMessage(body);
    r.error = ClassifyHttpStatus(http_status, r.error_message);
    return r;
  }
  if (std::optional<ChatResponse> usual = ReadUsualCompletion(body)) return std::move(*usual);
  return ReadCompletionDom(body);
}

ChatResponse ReadCompletionDom(std::string_view body) {
  ChatResponse r;
  PooledDocument pooled;
  PooledDocument::Doc& doc = pooled.doc();
  auto parse_error = [&](std::string msg) {
    r.error = ErrorKind::kParse;
    r.error_message = std::move(msg);
    return r;
  };
  if (pooled.Parse(body).IsError()) return parse_error("the response body is not valid JSON");
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
  if (const rapidjson::Value* reasoning = Reasoning(*message)) r.reasoning = Text(reasoning);
  if (const rapidjson::Value* calls = Member(*message, "tool_calls"); calls && !calls->IsNull()) {
    if (!calls->IsArray()) return parse_error("choices[0].message.tool_calls is not an array");
    if (!calls->Empty()) r.tool_calls = Compact(*calls);
  }
  r.finish_reason = Text(Member(choice, "finish_reason"));
  r.id = Text(Member(doc, "id"));
  r.usage = ReadUsage(doc);
  r.reasoning_tokens = ReasoningTokens(doc);
  return r;
}

std::optional<std::string> FirstToolArguments(std::string_view tool_calls_json) {
  rapidjson::Document doc;
  if (!Parse(tool_calls_json, &doc) || !doc.IsArray() || doc.Empty()) return std::nullopt;
  const rapidjson::Value* f = Member(doc[0], "function");
  const rapidjson::Value* a = f ? Member(*f, "arguments") : nullptr;
  if (!a) return std::nullopt;
  if (a->IsString()) return Text(a);
  return Compact(*a);  // some servers send the arguments as an object, not as its text
}

std::vector<std::string> SharingPrefix(std::string_view id,
                                       const std::vector<std::string>& offered) {
  auto prefix_of = [](std::string_view s) {
    const size_t slash = s.find('/');
    const size_t name = slash == std::string_view::npos ? 0 : slash + 1;
    const size_t end = s.find_first_of("-._:", name);
    std::string p(s.substr(0, end));
    std::transform(p.begin(), p.end(), p.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return p;
  };
  const std::string want = prefix_of(id);
  std::vector<std::string> out;
  for (const std::string& o : offered) {
    if (o != id && prefix_of(o) == want) out.push_back(o);
  }
  return out;
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
namespace {

/// One tool call of a stream, built from its deltas: later deltas of the same index add to the
/// arguments (OpenAI streams them a few characters at a time).
struct StreamedToolCall {
  std::string id, type = "function", name, arguments;
};

/// Adds one delta's tool_calls; true when it carried any.
bool AddToolCallDeltas(const rapidjson::Value& deltas, std::vector<StreamedToolCall>* calls) {
  if (!deltas.IsArray()) return false;
  bool any = false;
  for (const auto& d : deltas.GetArray()) {
    if (!d.IsObject()) continue;
    size_t index = calls->empty() ? 0 : calls->size() - 1;
    if (const rapidjson::Value* i = Member(d, "index"); i && i->IsUint()) index = i->GetUint();
    if (index > 1024) continue;  // a stream cannot make us allocate without bound
    if (index >= calls->size()) calls->resize(index + 1);
    StreamedToolCall& c = (*calls)[index];
    if (const rapidjson::Value* id = Member(d, "id"); id && id->IsString()) c.id = Text(id);
    if (const rapidjson::Value* t = Member(d, "type"); t && t->IsString()) c.type = Text(t);
    if (const rapidjson::Value* f = Member(d, "function")) {
      if (const rapidjson::Value* n = Member(*f, "name"); n && n->IsString()) c.name += Text(n);
      if (const rapidjson::Value* a = Member(*f, "arguments"); a && a->IsString())
        c.arguments += Text(a);
    }
    any = true;
  }
  return any;
}

std::string ToolCallsJson(const std::vector<StreamedToolCall>& calls) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const StreamedToolCall& c : calls) {
    w.StartObject();
    w.Key("id");
    w.String(c.id);
    w.Key("type");
    w.String(c.type);
    w.Key("function");
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("arguments");
    w.String(c.arguments);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

ChatResponse ParseChatStream(long http_status, std::string_view body,
                             const std::vector<ChunkTime>& chunks, StreamTiming* timing) {
  if (http_status < 200 || http_status >= 300) return ParseChatResponse(http_status, body);
  ChatResponse r;
  SseParser sse;
  std::vector<std::string> events;
  std::vector<double> token_times;  // every delta that carried a token of any kind
  std::optional<double> first_answer;
  std::vector<StreamedToolCall> tool_calls;
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
      if (const rapidjson::Value* e = Member(doc, "error")) {
        // Classified by its code, as the same error outside a stream would be by its status.
        r.error_message = "the stream carried an error: " + ApiErrorMessage(data);
        r.error = ClassifyStreamError(*e, r.error_message);
        continue;
      }
      saw_chunk = true;
      if (r.id.empty()) r.id = Text(Member(doc, "id"));
      if (const rapidjson::Value* choices = Member(doc, "choices");
          choices && choices->IsArray() && !choices->Empty()) {
        const rapidjson::Value& c = (*choices)[0];
        if (const rapidjson::Value* delta = Member(c, "delta")) {
          const std::string piece = Text(Member(*delta, "content"));
          const rapidjson::Value* thought = Reasoning(*delta);
          const rapidjson::Value* calls = Member(*delta, "tool_calls");
          const bool called = calls && AddToolCallDeltas(*calls, &tool_calls);
          if (thought && thought->GetStringLength() > 0) {
            if (!r.reasoning) r.reasoning.emplace();
            r.reasoning->append(thought->GetString(), thought->GetStringLength());
          }
          r.content += piece;
          if (!piece.empty() || called) {
            if (!first_answer) first_answer = at;
          }
          if (!piece.empty() || called || (thought && thought->GetStringLength() > 0))
            token_times.push_back(at);
        }
        if (const rapidjson::Value* f = Member(c, "finish_reason"); f && f->IsString())
          r.finish_reason = Text(f);
      }
      if (auto usage = ReadUsage(doc)) r.usage = usage;
      if (auto thinking = ReasoningTokens(doc)) r.reasoning_tokens = thinking;
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
  if (!tool_calls.empty()) r.tool_calls = ToolCallsJson(tool_calls);
  timing->ttfa_ms = first_answer;
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
