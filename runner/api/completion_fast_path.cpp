#include "api/completion_fast_path.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "common/json_limits.h"
#include "common/json_sax.h"
#include "common/text.h"

namespace evalrun {
namespace {

/// What an open object or array of the body is to the reader.
enum class Ctx : uint8_t {
  kIgnore,  // a value nothing is read from
  kRoot,
  kChoices,
  kChoice,  // choices[0]
  kMessage,
  kUsage,
  kPromptDetails,      // usage.prompt_tokens_details
  kCompletionDetails,  // usage.completion_tokens_details
};

/// The keys read, one bit each: a key seen again is ignored, as the first one found is what
/// FindMember gives the DOM reader.
enum Field : uint32_t {
  kNone = 0,
  kError = 1u << 0,
  kChoicesKey = 1u << 1,
  kId = 1u << 2,
  kUsageKey = 1u << 3,
  kMessageKey = 1u << 4,
  kFinishReason = 1u << 5,
  kContent = 1u << 6,
  kReasoning = 1u << 7,
  kReasoningContent = 1u << 8,
  kToolCalls = 1u << 9,
  kPromptTokens = 1u << 10,
  kCompletionTokens = 1u << 11,
  kTotalTokens = 1u << 12,
  kPromptDetailsKey = 1u << 13,
  kCompletionDetailsKey = 1u << 14,
  kCachedTokens = 1u << 15,
  kReasoningTokens = 1u << 16,
};

Field KeyIn(Ctx ctx, std::string_view k) {
  switch (ctx) {
    case Ctx::kRoot:
      return k == "choices" ? kChoicesKey
             : k == "usage" ? kUsageKey
             : k == "id"    ? kId
             : k == "error" ? kError
                            : kNone;
    case Ctx::kChoice:
      return k == "message" ? kMessageKey : k == "finish_reason" ? kFinishReason : kNone;
    case Ctx::kMessage:
      return k == "content"             ? kContent
             : k == "reasoning"         ? kReasoning
             : k == "reasoning_content" ? kReasoningContent
             : k == "tool_calls"        ? kToolCalls
                                        : kNone;
    case Ctx::kUsage:
      return k == "prompt_tokens"               ? kPromptTokens
             : k == "completion_tokens"         ? kCompletionTokens
             : k == "total_tokens"              ? kTotalTokens
             : k == "prompt_tokens_details"     ? kPromptDetailsKey
             : k == "completion_tokens_details" ? kCompletionDetailsKey
                                                : kNone;
    case Ctx::kPromptDetails:
      return k == "cached_tokens" ? kCachedTokens : kNone;
    case Ctx::kCompletionDetails:
      return k == "reasoning_tokens" ? kReasoningTokens : kNone;
    default:
      return kNone;
  }
}

/// Reads the fields of a completion as the events come. `unusual` is set (and the parse ends)
/// by anything the DOM reader would answer otherwise than "here is the answer".
class CompletionHandler {
 public:
  using Ch = char;
  bool unusual = false;
  ChatResponse* r = nullptr;
  // Counts as read; a count that is not a whole number in int64 makes the body unusual.
  std::optional<long long> prompt, completion, total, cached, reasoning_tokens;
  bool usage_object = false, prompt_details = false, completion_details = false;
  bool choices_nonempty = false, message_object = false;
  std::optional<std::string> reasoning, reasoning_content;
  bool root_object = false;

  bool Null() { return !Element() || Scalar(kNull); }
  bool Bool(bool) { return !Element() || Scalar(kOtherScalar); }
  bool Int(int) { return false; }  // numbers arrive as their text
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    // A long number or one with an exponent may be past what the DOM reader takes ("0e999"):
    // for it to say. A completion's numbers are short whole ones.
    const std::string_view text(s, n);
    if (n > 20 || HasExponent(text)) return Unusual();
    if (!Element()) return true;
    long long* count = CountFor(key_);
    if (!count) return Scalar(kOtherScalar);
    long long v = 0;
    if (auto [p, ec] = std::from_chars(s, s + n, v); ec != std::errc() || p != s + n)
      return Unusual();  // a fraction, an exponent, or past int64: the DOM reader's rules
    *count = v;
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (!Element()) return true;
    // Copied now: a string with escapes lies in the reader's scratch, which the next reuses.
    const std::string_view text(s, n);
    switch (key_) {
      case kId:
        r->id.assign(text);
        return true;
      case kFinishReason:
        r->finish_reason.assign(text);
        return true;
      case kContent:
        r->content.assign(text);
        return true;
      case kReasoning:
        reasoning.emplace(text);
        return true;
      case kReasoningContent:
        reasoning_content.emplace(text);
        return true;
      default:
        return Scalar(kOtherScalar);
    }
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const Ctx ctx = frames_[depth_ - 1].ctx;
    key_ = kNone;
    if (ctx == Ctx::kIgnore) return true;
    const Field k = KeyIn(ctx, std::string_view(s, n));
    if (k == kNone || (seen_ & k)) return true;  // not read, or a duplicate: the first counts
    seen_ |= k;
    key_ = k;
    if (k == kError) return Unusual();  // an error body under a 2xx
    return true;
  }
  bool StartObject() { return Open(true); }
  bool StartArray() { return Open(false); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

 private:
  enum ScalarKind { kNull, kOtherScalar };
  struct Frame {
    Ctx ctx;
    size_t elements;  // of an array, so far; zero as Open() pushes the frame
  };

  bool Unusual() {
    unusual = true;
    return false;
  }
  /// Whether the value now arriving is one the reader looks at: a member of an object it reads,
  /// or choices[0]. Counts array elements.
  bool Element() {
    if (depth_ == 0) return false;  // a scalar at the root: root_object stays false
    Frame& top = frames_[depth_ - 1];
    if (top.ctx == Ctx::kChoices) {
      key_ = top.elements++ == 0 ? kChoicesFirst : kNone;
      return key_ != kNone;
    }
    return top.ctx != Ctx::kIgnore && key_ != kNone;
  }
  long long* CountFor(uint32_t k) {
    switch (k) {
      case kPromptTokens:
        return Set(&prompt);
      case kCompletionTokens:
        return Set(&completion);
      case kTotalTokens:
        return Set(&total);
      case kCachedTokens:
        return Set(&cached);
      case kReasoningTokens:
        return Set(&reasoning_tokens);
      default:
        return nullptr;
    }
  }
  static long long* Set(std::optional<long long>* v) { return &v->emplace(0); }
  /// A scalar that Element() said is read: where a container is wanted, the DOM reader's error.
  bool Scalar(ScalarKind kind) {
    switch (key_) {
      case kChoicesKey:
      case kChoicesFirst:
      case kMessageKey:
        return Unusual();  // not an array, not an object: the DOM reader's error to give
      case kContent:
        return kind == kNull ? true : Unusual();
      case kToolCalls:
        return kind == kNull ? true : Unusual();
      case kPromptDetailsKey:  // found by Member() whatever it is, with no count inside
        prompt_details = true;
        return true;
      case kCompletionDetailsKey:
        completion_details = true;
        return true;
      default:
        return true;  // id, finish_reason, reasoning, a count: not a string or a number, absent
    }
  }
  bool Open(bool object) {
    if (depth_ > static_cast<size_t>(kMaxJsonDepth)) return false;
    if (depth_ == 0) {
      if (!object) return Unusual();
      root_object = true;
      frames_[depth_++] = {Ctx::kRoot, 0};
      return true;
    }
    Ctx next = Ctx::kIgnore;
    if (Element()) {
      switch (key_) {
        case kChoicesKey:
          next = object ? Ctx::kIgnore : Ctx::kChoices;
          if (object) return Unusual();
          break;
        case kChoicesFirst:
          if (!object) return Unusual();
          next = Ctx::kChoice;
          break;
        case kMessageKey:
          if (!object) return Unusual();
          message_object = true;
          next = Ctx::kMessage;
          break;
        case kUsageKey:
          usage_object = object;
          next = object ? Ctx::kUsage : Ctx::kIgnore;
          break;
        case kPromptDetailsKey:
          prompt_details = true;  // Member() finds it whatever it is; Count() then looks inside
          next = object ? Ctx::kPromptDetails : Ctx::kIgnore;
          break;
        case kCompletionDetailsKey:
          completion_details = true;
          next = object ? Ctx::kCompletionDetails : Ctx::kIgnore;
          break;
        case kContent:
        case kToolCalls:
          return Unusual();  // content not a string; tool calls: the DOM reader keeps them
        default:
          break;
      }
    }
    frames_[depth_++] = {next, 0};
    key_ = kNone;
    return true;
  }
  bool Close() {
    const Frame top = frames_[--depth_];
    if (top.ctx == Ctx::kChoices) choices_nonempty = top.elements > 0;
    key_ = kNone;
    return true;
  }

  static constexpr uint32_t kChoicesFirst = 1u << 31;
  // The open containers, outermost first: as deep as Open() allows, on the stack (no allocation
  // per response), and left unset until pushed (2 KiB not cleared per response).
  std::array<Frame, kMaxJsonDepth + 1> frames_;
  size_t depth_ = 0;
  uint32_t seen_ = 0;
  uint32_t key_ = kNone;
};

}  // namespace

std::optional<ChatResponse> ReadUsualCompletion(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // as the DOM reader skips it
  ChatResponse r;
  CompletionHandler h;
  h.r = &r;
  thread_local std::string scratch;
  if (!JsonSax<CompletionHandler>(h, &scratch).Parse(body) || h.unusual) return std::nullopt;
  if (!h.root_object || !h.choices_nonempty || !h.message_object) return std::nullopt;
  if (h.reasoning)
    r.reasoning = std::move(h.reasoning);
  else if (h.reasoning_content)
    r.reasoning = std::move(h.reasoning_content);
  if (h.usage_object && h.prompt && h.completion) {
    Usage u{*h.prompt, *h.completion, h.total ? *h.total : *h.prompt + *h.completion};
    if (h.prompt_details) u.cached_tokens = std::min(h.cached.value_or(0), *h.prompt);
    r.usage = u;
  }
  if (h.usage_object && h.completion_details) r.reasoning_tokens = h.reasoning_tokens;
  return r;
}

}  // namespace evalrun
