// SseParser: Server-Sent Events as OpenAI-compatible servers stream them. Fed bytes as they
// arrive, in pieces of any size; yields the data of each event once its blank line arrives.
// Handles LF, CRLF and CR line ends, comments (":..."), multi-line data, fields other than data,
// and a stream that ends without a blank line or without "[DONE]". Pure; fuzzed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evalrun {

class SseParser {
 public:
  /// Appends the data of every event completed by `bytes` to `events`.
  void Feed(std::string_view bytes, std::vector<std::string>* events);
  /// End of stream: an event still being built is complete.
  void Finish(std::vector<std::string>* events);

 private:
  void Line(std::string_view line, std::vector<std::string>* events);
  void Dispatch(std::vector<std::string>* events);

  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

}  // namespace evalrun
