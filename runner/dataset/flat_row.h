// FlatRow: a dataset line read without a DOM, when it is the kind most datasets hold: one JSON
// object of ASCII text whose values the prompt uses are strings, integers, booleans or null.
// Each member is a key and its value's text, where the line lies (a string with escapes is
// decoded into a buffer of the reader's). Rows are read twice a call (the scan, then the
// planner): a row costs 2.3k instructions read this way, 3.6k through RapidJSON's DOM with UTF-8
// validation (callgrind, the bench's rows).
// Whatever this reader cannot stand for the DOM on (non-ASCII text, a number that is not a plain
// integer, a value nested below the row, text that is not valid JSON) it declines, and the DOM
// reads the line: the DOM stays the one that gives a row's diagnostics. A fuzz target checks
// that the rows the two make are the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evalrun {

class FlatRow {
 public:
  enum class Kind : uint8_t {
    kString,
    kInteger,  // as RapidJSON writes it back: no sign on zero, at most 18 digits
    kBool,
    kNull,
    kNumber,     // any other number: its value's text is the DOM's to write
    kContainer,  // an object or an array
  };
  struct Member {
    std::string_view key;
    std::string_view text;  // a string decoded; a scalar's JSON; empty for a container
    Kind kind;
  };
  enum class Found : uint8_t { kYes, kNo, kAskTheDom };

  /// Reads `line` (as the DOM would be given it). False when the DOM must read it.
  bool Read(std::string_view line);

  /// The member FindPath() would find at `path` ("a" or "a.b") of the row just read: kNo when
  /// it finds none, kAskTheDom when the answer lies below a value this reader did not keep.
  Found Find(std::string_view path, const Member** member) const;
  bool Has(std::string_view key) const;

 private:
  friend class FlatRowHandler;
  std::vector<Member> members_;
  std::string decoded_;  // the strings with escapes, one after another
  std::string scratch_;  // JsonSax's, for the string it is decoding
};

}  // namespace evalrun
