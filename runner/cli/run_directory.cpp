#include "cli/run_directory.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <random>

namespace evalrun {
namespace {

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

std::string ResolveRunDir(const Job& job, const std::string& out_flag, SystemTime start) {
  if (!out_flag.empty()) return out_flag;
  std::string dir = job.output.dir;
  ReplaceAll(dir, "{name}", job.name);
  ReplaceAll(dir, "{timestamp}", CompactTimestamp(start));
  std::filesystem::path p(dir);
  if (p.is_relative()) p = std::filesystem::path(job.base_dir) / p;
  return p.lexically_normal().string();
}

std::string MakeRunId(const Job& job, SystemTime start) {
  std::random_device rd;
  return fmt::format("{}-{}-{:04x}", job.name, CompactTimestamp(start), rd() & 0xffff);
}

}  // namespace evalrun
