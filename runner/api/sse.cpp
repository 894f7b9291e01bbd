#include "api/sse.h"

namespace evalrun {

void SseParser::Feed(std::string_view bytes, std::vector<std::string>* events) {
  for (char c : bytes) {
    if (c == '\n' && last_was_cr_) {  // the LF of a CRLF: the line already ended at the CR
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      Line(line_, events);
      line_.clear();
    } else {
      line_.push_back(c);
    }
  }
}

void SseParser::Finish(std::vector<std::string>* events) {
  if (!line_.empty()) {
    Line(line_, events);
    line_.clear();
  }
  Dispatch(events);
}

void SseParser::Line(std::string_view line, std::vector<std::string>* events) {
  if (line.empty()) {
    Dispatch(events);
    return;
  }
  if (line[0] == ':') return;  // comment, e.g. ": keep-alive"
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (field != "data") return;  // event, id, retry: nothing a completion needs
  if (has_data_) data_.push_back('\n');
  data_.append(value);
  has_data_ = true;
}

void SseParser::Dispatch(std::vector<std::string>* events) {
  if (!has_data_) return;
  events->push_back(std::move(data_));
  data_.clear();
  has_data_ = false;
}

}  // namespace evalrun
