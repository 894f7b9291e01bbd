// Guards for parsing JSON that comes from outside (datasets, API responses, results files):
// refuse nesting deeper than any real request or response needs, at the opening bracket that
// passes it, so the parsers' recursion (and later recursive walks: RapidJSON's Accept when a
// row's messages are copied into a request) is bounded and "[[[[..." cannot overflow the stack.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace evalrun {

constexpr int kMaxJsonDepth = 128;

/// Deepest nesting of arrays and objects in `text`, ignoring brackets inside strings.
int JsonNestingDepth(std::string_view text);

/// Forwards a parser's events to `Handler`, failing the parse where nesting passes kMaxJsonDepth:
/// the depth is checked as the text is parsed, not by a scan of its own before.
template <class Handler>
struct DepthGuard {
  Handler& h;
  int depth = 0;
  using Ch = char;
  bool Null() { return h.Null(); }
  bool Bool(bool b) { return h.Bool(b); }
  bool Int(int i) { return h.Int(i); }
  bool Uint(unsigned u) { return h.Uint(u); }
  bool Int64(int64_t i) { return h.Int64(i); }
  bool Uint64(uint64_t u) { return h.Uint64(u); }
  bool Double(double d) { return h.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) { return h.RawNumber(s, n, copy); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) { return h.String(s, n, copy); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) { return h.Key(s, n, copy); }
  bool StartObject() { return ++depth <= kMaxJsonDepth && h.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return --depth, h.EndObject(n); }
  bool StartArray() { return ++depth <= kMaxJsonDepth && h.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return --depth, h.EndArray(n); }
};

/// Parses what `in` holds into `doc` (a rapidjson::Document, or another GenericDocument of
/// UTF-8) through DepthGuard: RapidJSON's result, an error where the text is not valid JSON or
/// nests deeper than kMaxJsonDepth.
template <unsigned kFlags, class Stream, class Doc>
rapidjson::ParseResult ParseGuarded(Stream& in, Doc* doc) {
  rapidjson::ParseResult result;
  auto parse = [&](Doc& d) {
    rapidjson::CrtAllocator stack;  // else the reader allocates its own allocator object
    rapidjson::Reader reader(&stack, 1024);
    DepthGuard<Doc> guard{d};
    // Recursive, which is faster than RapidJSON's iterative parser: the guard refuses the
    // opening bracket past kMaxJsonDepth, so the recursion never goes deeper than that.
    result = reader.Parse<kFlags>(in, guard);
    return !result.IsError();
  };
  doc->Populate(parse);
  return result;
}

/// Parses `text` with its depth bounded; false when it is not valid JSON or nests deeper than
/// kMaxJsonDepth.
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
bool ParseBoundedJson(std::string_view text, rapidjson::Document* doc) {
  // The stream Document::Parse(text, size) reads through (it skips a UTF-8 BOM).
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  return !ParseGuarded<kFlags>(in, doc).IsError();
}

/// The allocator of a document's parse stack. RapidJSON frees that stack as each parse ends;
/// this keeps the block given back (one a thread, up to 64 KiB) for the next parse, so parsing a
/// row or an answer per call takes nothing from malloc for its stack (a 4 KiB block, which
/// malloc's per-thread cache does not hold: 800 instructions a parse, two parses a call).
class ReusedStackAllocator {
 public:
  static constexpr bool kNeedFree = true;
  void* Malloc(size_t size) { return Realloc(nullptr, 0, size); }
  void* Realloc(void* block, size_t old_size, size_t new_size);
  static void Free(void* block);
};

/// A Document whose values come first from a buffer inside it: parsing one response or row per
/// call takes no 64 KiB chunk from the heap, as RapidJSON's default pool would. A larger document
/// spills into 16 KiB chunks. Lives on the stack of the function that parses.
class PooledDocument {
 public:
  using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                                         ReusedStackAllocator>;
  PooledDocument() : pool_(buffer_, sizeof buffer_, 16u << 10), doc_(&pool_, 4096, &stack_) {}
  PooledDocument(const PooledDocument&) = delete;
  PooledDocument& operator=(const PooledDocument&) = delete;
  Doc& doc() { return doc_; }

  /// Parses `text` (after a UTF-8 BOM, as Document::Parse skips one) with its depth bounded, in
  /// place in a copy taken from this document's pool: the strings are not copied again, and the
  /// reader's in-situ stream costs less per character than the bounded stream of Parse(text, n).
  /// The error is RapidJSON's, at its offset in `text`; a NUL inside the text, which would end
  /// the copy early, is one.
  template <unsigned kFlags = rapidjson::kParseDefaultFlags>
  rapidjson::ParseResult Parse(std::string_view text) {
    const size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    text.remove_prefix(bom);
    char* copy = static_cast<char*>(pool_.Malloc(text.size() + 1));
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    rapidjson::InsituStringStream in(copy);
    rapidjson::ParseResult result = ParseGuarded<kFlags | rapidjson::kParseInsituFlag>(in, &doc_);
    if (!result.IsError() && in.Tell() != text.size())
      result.Set(rapidjson::kParseErrorDocumentRootNotSingular, in.Tell());
    if (result.IsError()) result.Set(result.Code(), result.Offset() + bom);
    return result;
  }

 private:
  alignas(std::max_align_t) char buffer_[4096];
  rapidjson::MemoryPoolAllocator<> pool_;
  ReusedStackAllocator stack_;  // the parse stack's: given, so the document allocates none
  Doc doc_;
};

}  // namespace evalrun
