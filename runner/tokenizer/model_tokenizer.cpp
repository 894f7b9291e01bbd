#include "tokenizer/model_tokenizer.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "common/files.h"
#include "common/json_limits.h"

namespace fs = std::filesystem;

namespace evalrun {
namespace {

std::string TokenText(const rapidjson::Value& config, const char* key) {
  auto it = config.FindMember(key);
  if (it == config.MemberEnd()) return {};
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsObject()) {  // {"__type": "AddedToken", "content": ...}
    auto c = it->value.FindMember("content");
    if (c != it->value.MemberEnd() && c->value.IsString()) return c->value.GetString();
  }
  return {};
}

/// tokenizer_config.json's chat_template: a string, or a list of named ones ("default" first).
std::string TemplateText(const rapidjson::Value& config) {
  auto it = config.FindMember("chat_template");
  if (it == config.MemberEnd()) return {};
  if (it->value.IsString()) return it->value.GetString();
  if (!it->value.IsArray()) return {};
  std::string first;
  for (const auto& t : it->value.GetArray()) {
    if (!t.IsObject() || !t.HasMember("template") || !t["template"].IsString()) continue;
    if (t.HasMember("name") && t["name"].IsString() &&
        std::string_view(t["name"].GetString()) == "default")
      return t["template"].GetString();
    if (first.empty()) first = t["template"].GetString();
  }
  return first;
}

}  // namespace

Result<std::shared_ptr<ModelTokenizer>> ModelTokenizer::Load(const std::string& path) {
  std::error_code ec;
  const bool dir = fs::is_directory(path, ec);
  const fs::path json_path = dir ? fs::path(path) / "tokenizer.json" : fs::path(path);
  auto json = ReadWholeFile(json_path.string());
  if (!json.ok())
    return Status::NotFound(fmt::format("tokenizer {}: no tokenizer.json there", path));
  auto t = std::make_shared<ModelTokenizer>();
  auto tok = Tokenizer::FromJson(*json, json_path.string());
  if (!tok.ok()) return tok.status();
  t->tokenizer_ = std::move(*tok);
  t->source_ = json_path.string();
  const fs::path folder = json_path.parent_path();
  std::string template_text, bos;
  if (auto config = ReadWholeFile((folder / "tokenizer_config.json").string()); config.ok()) {
    rapidjson::Document d;
    if (!ParseBoundedJson(*config, &d) || !d.IsObject())
      return Status::InvalidInput(
          fmt::format("{}: not a JSON object", (folder / "tokenizer_config.json").string()));
    template_text = TemplateText(d);
    bos = TokenText(d, "bos_token");
  }
  // Newer snapshots keep the template in a file of its own, which wins as it does in transformers.
  if (auto jinja = ReadWholeFile((folder / "chat_template.jinja").string()); jinja.ok())
    template_text = *jinja;
  t->template_ = ChatTemplate::Recognise(template_text, bos);
  t->completion_framing_ =
      static_cast<long long>(t->tokenizer_->Count(t->template_.CompletionFraming()));
  if (t->template_.format == ChatFormat::kUnknown) t->completion_framing_ = 1;  // an end token
  return t;
}

std::optional<std::string> ModelTokenizer::FindInHubCache(const std::string& model_id) {
  const size_t slash = model_id.find('/');
  if (slash == std::string::npos || model_id.find('/', slash + 1) != std::string::npos)
    return std::nullopt;
  fs::path hub;
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c)
    hub = c;
  else if (const char* h = std::getenv("HF_HOME"); h && *h)
    hub = fs::path(h) / "hub";
  else if (const char* home = std::getenv("HOME"); home && *home)
    hub = fs::path(home) / ".cache" / "huggingface" / "hub";
  else
    return std::nullopt;
  const fs::path repo =
      hub / ("models--" + model_id.substr(0, slash) + "--" + model_id.substr(slash + 1));
  auto ref = ReadWholeFile((repo / "refs" / "main").string());
  if (!ref.ok()) return std::nullopt;
  std::string commit = *ref;
  while (!commit.empty() &&
         (commit.back() == '\n' || commit.back() == '\r' || commit.back() == ' '))
    commit.pop_back();
  if (commit.empty() || commit.find('/') != std::string::npos ||
      commit.find("..") != std::string::npos)
    return std::nullopt;
  const fs::path snapshot = repo / "snapshots" / commit;
  std::error_code ec;
  if (!fs::exists(snapshot / "tokenizer.json", ec)) return std::nullopt;
  return snapshot.string();
}

std::optional<long long> ModelTokenizer::CountPrompt(
    const std::vector<ChatMessage>& messages) const {
  if (template_.format == ChatFormat::kUnknown) return std::nullopt;
  return static_cast<long long>(tokenizer_->Count(template_.Render(messages)));
}

long long ModelTokenizer::CountText(std::string_view text) const {
  return static_cast<long long>(tokenizer_->Count(text));
}

long long ModelTokenizer::CountCompletion(std::string_view text) const {
  return CountText(text) + completion_framing_;
}

}  // namespace evalrun
