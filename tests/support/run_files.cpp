#include "support/run_files.h"

#include <catch2/catch.hpp>

#include "support/process.h"

namespace evalrun::testing {

rapidjson::Document ReadJson(const std::string& path) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(ReadFile(path).c_str());
  INFO(path);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

std::vector<CallRecord> ReadRecords(const std::string& dir) {
  std::vector<CallRecord> out;
  for (const auto& line : ReadLines(dir + "/results.jsonl")) {
    CallRecord r;
    INFO(line);
    REQUIRE(RecordFromJson(line, &r));
    out.push_back(r);
  }
  return out;
}

std::string ReadStream(std::FILE* f) {
  std::string out;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

}  // namespace evalrun::testing
