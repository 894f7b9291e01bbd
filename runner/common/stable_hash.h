// StableHash: a 64-bit hash that is the same on every machine and run (FNV-1a with a final mix),
// for the mock's deterministic replies and for identifying calls across runs.
#pragma once

#include <cstdint>
#include <string_view>

namespace evalrun {

inline uint64_t StableHash(std::string_view text, uint64_t seed = 0) {
  uint64_t h = 1469598103934665603ULL ^ (seed * 1099511628211ULL);
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;  // FNV alone mixes the last bytes poorly
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace evalrun
