// libFuzzer target: API responses (completions, error bodies, model lists), judges' verdicts, and
// the records and verdicts read back from results.jsonl and verdicts.jsonl; and the records'
// JSON reader (JsonSax) held to RapidJSON's Reader event for event, and the SAX reader of the
// usual completion to the DOM reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/chat_response.h"
#include "api/completion_fast_path.h"
#include "common/json_sax.h"
#include "engine/record_builder.h"
#include "results/call_record.h"
#include "results/verdict_record.h"
#include "scoring/judge_verdict.h"
#include "support/json_events.h"
#include "support/same_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evalrun;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const long status = size > 0 ? 200 + (data[0] % 4) * 100 : 200;  // 200, 300, 400, 500
  // Wherever the SAX reader of the usual completion reads a body, it reads what the DOM reads.
  if (std::optional<ChatResponse> usual = ReadUsualCompletion(body)) {
    if (!testing::SameResponse(*usual, ReadCompletionDom(body))) __builtin_trap();
  }
  ChatResponse r = ParseChatResponse(status, body);
  if (r.tool_calls) (void)FirstToolArguments(*r.tool_calls);
  (void)FirstToolArguments(body);
  ParseChatResponse(429, body);
  (void)ParseModelList(body);  // only that it neither crashes nor leaks
  ApiErrorMessage(body);
  (void)SharingPrefix(body, {"a/b-c", "x"});
  (void)ReadVerdict(body, 0, 10);  // a judge's reply
  VerdictRecord verdict;
  if (VerdictFromJson(body, &verdict)) {
    VerdictRecord again;
    if (!VerdictFromJson(VerdictToJson(verdict), &again)) __builtin_trap();
  }
  {
    // Where RapidJSON reads the text, JsonSax reads it with the same events, and where it
    // refuses it so does JsonSax; except a NUL (the end of the text to RapidJSON in situ, which
    // JsonSax refuses) and an exponent past 308 (RapidJSON refuses "0e999"; JsonSax gives its
    // text, which the record reader refuses when it is out of range).
    testing::JsonEvents ours, theirs;
    std::string scratch;
    const bool ours_ok = JsonSax<testing::JsonEvents>(ours, &scratch).Parse(body);
    const rapidjson::ParseResult r = testing::RapidJsonEvents(body, &theirs);
    if (body.find('\0') == std::string_view::npos &&
        r.Code() != rapidjson::kParseErrorNumberTooBig) {
      if (ours_ok != !r.IsError()) __builtin_trap();
      if (ours_ok && ours.log != theirs.log) __builtin_trap();
    }
  }
  CallRecord record;
  if (RecordFromJson(body, &record)) {
    CallRecord again;
    if (!RecordFromJson(RecordToJson(record), &again))
      __builtin_trap();  // what we write we can read
  }
  return 0;
}
