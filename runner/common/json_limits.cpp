#include "common/json_limits.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace evalrun {

int JsonNestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  return deepest;
}

namespace {

// Each block carries its capacity in a header before it: Free, static in RapidJSON's allocator
// concept, must know what it keeps.
constexpr size_t kHeader = alignof(std::max_align_t);
constexpr size_t kMaxKept = 64u << 10;

size_t& CapacityOf(void* block) {
  return *reinterpret_cast<size_t*>(static_cast<char*>(block) - kHeader);
}

void Release(void* block) {
  std::free(static_cast<char*>(block) - kHeader);
}

struct KeptBlock {
  void* block = nullptr;
  ~KeptBlock() {
    if (block) Release(std::exchange(block, nullptr));
  }
};
thread_local KeptBlock t_kept;

}  // namespace

void* ReusedStackAllocator::Realloc(void* block, size_t, size_t new_size) {
  if (new_size == 0) {
    Free(block);
    return nullptr;
  }
  if (!block && t_kept.block && CapacityOf(t_kept.block) >= new_size)
    return std::exchange(t_kept.block, nullptr);
  if (block && CapacityOf(block) >= new_size) return block;
  char* raw = static_cast<char*>(
      std::realloc(block ? static_cast<char*>(block) - kHeader : nullptr, new_size + kHeader));
  if (!raw) return nullptr;
  *reinterpret_cast<size_t*>(raw) = new_size;
  return raw + kHeader;
}

void ReusedStackAllocator::Free(void* block) {
  if (!block) return;
  if (CapacityOf(block) > kMaxKept) return Release(block);
  if (t_kept.block && CapacityOf(t_kept.block) >= CapacityOf(block)) return Release(block);
  if (t_kept.block) Release(t_kept.block);
  t_kept.block = block;
}

}  // namespace evalrun
