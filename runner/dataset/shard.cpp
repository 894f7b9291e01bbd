#include "dataset/shard.h"

#include <charconv>

#include "common/stable_hash.h"

namespace evalrun {

bool Shard::Contains(std::string_view dataset, std::string_view row_id) const {
  if (count <= 1) return true;
  std::string key(dataset);
  key.push_back('\0');
  key.append(row_id);
  return static_cast<long long>(StableHash(key, 0x5a4d) % static_cast<unsigned long long>(count)) ==
         index;
}

std::string Shard::ToString() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

bool ParseShard(std::string_view text, Shard* out) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  long long i = -1, n = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, i);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || n < 1 || i < 0 || i >= n) {
    return false;
  }
  *out = Shard{i, n};
  return true;
}

}  // namespace evalrun
