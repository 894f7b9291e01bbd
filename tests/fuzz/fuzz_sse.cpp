// libFuzzer target: Server-Sent Events streams, fed in pieces at arbitrary offsets, and the
// streamed completion assembled from them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "api/chat_response.h"
#include "api/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evalrun;
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 16;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  SseParser parser;
  std::vector<std::string> events;
  std::vector<ChunkTime> chunks;
  for (size_t i = 0; i < body.size(); i += piece) {
    parser.Feed(body.substr(i, piece), &events);
    chunks.push_back({std::min(body.size(), i + piece), static_cast<double>(i)});
  }
  parser.Finish(&events);
  StreamTiming timing;
  ParseChatStream(200, body, chunks, &timing);
  return 0;
}
