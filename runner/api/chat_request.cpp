#include "api/chat_request.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>

#include "common/json_write.h"

namespace evalrun {

std::string BuildUserMessages(const std::string& text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  w.StartObject();
  w.Key("role");
  w.String("user");
  w.Key("content");
  w.String(text);
  w.EndObject();
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string BuildChatBody(const std::string& model, const JsonParams& params, const Row& row,
                          bool stream) {
  // The job's params as they are unless the row brings its own (no copy per call).
  JsonParams merged_with_row;
  const JsonParams* merged = &params;
  if (!row.body_params.empty()) {
    merged_with_row = MergeParams(row.body_params, params);
    merged = &merged_with_row;
  }
  std::string body;
  body.reserve(row.messages_json.size() + model.size() + 64);
  {
    JsonAppender w(&body);  // its buffer reaches `body` at the end of this block
    w.StartObject();
    w.Key("model");
    w.String(model);
    w.Key("messages");
    w.RawValue(row.messages_json.data(), row.messages_json.size(), rapidjson::kArrayType);
    for (const auto& [key, json] : *merged) {
      if (key == "model" || key == "messages" || key == "stream" || key == "stream_options")
        continue;
      w.Key(key);
      w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    }
    if (stream) {
      w.Key("stream");
      w.Bool(true);
      w.Key("stream_options");
      w.StartObject();
      w.Key("include_usage");
      w.Bool(true);
      w.EndObject();
    }
    w.EndObject();
  }
  return body;
}

std::vector<std::string> BuildHeaders(const Endpoint& endpoint, const std::string& api_key) {
  std::vector<std::string> h;
  if (!api_key.empty()) h.push_back("Authorization: Bearer " + api_key);
  h.push_back("Content-Type: application/json");
  h.push_back("Accept: application/json");
  // libcurl would otherwise wait for "100 Continue" before sending larger bodies.
  h.push_back("Expect:");
  if (!endpoint.project.empty()) h.push_back("OpenAI-Project: " + endpoint.project);
  for (const auto& [name, value] : endpoint.headers) h.push_back(name + ": " + value);
  return h;
}

bool IsLoopbackUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view host = url.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  if (const size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (host.substr(0, 1) == "[") return host.substr(0, 5) == "[::1]";
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.substr(0, 4) == "127.";
}

std::string FindApiKey(const Endpoint& endpoint, std::string* searched) {
  std::vector<std::string> names;
  if (!endpoint.api_key_env.empty())
    names.push_back(endpoint.api_key_env);
  else
    names = {"WANDB_API_KEY", "OPENAI_API_KEY"};
  searched->clear();
  for (const auto& n : names) {
    *searched += (searched->empty() ? "" : " or ") + n;
    const char* v = std::getenv(n.c_str());
    if (v && *v) return v;
  }
  return {};
}

}  // namespace evalrun
