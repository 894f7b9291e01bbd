#include "api/chat_response.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "common/text.h"

namespace evalrun {
namespace {

bool Parse(std::string_view body, rapidjson::Document* doc) {
  doc->Parse(body.data(), body.size());
  return !doc->HasParseError();
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
  if (Member(doc, "error")) return parse_error("status 2xx with an error body: " + ApiErrorMessage(body));
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
  if (const rapidjson::Value* usage = Member(doc, "usage"); usage && usage->IsObject()) {
    auto p = Count(*usage, "prompt_tokens");
    auto c = Count(*usage, "completion_tokens");
    if (p && c) {
      auto t = Count(*usage, "total_tokens");
      r.usage = Usage{*p, *c, t ? *t : *p + *c};
    }
  }
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
