// Shard: `--shard I/N`, the stable partition of a job's rows that lets N machines of an existing
// scheduler (a GitHub Actions matrix, a Kubernetes Indexed Job, a Slurm array) split one job. A
// row belongs to shard StableHash(dataset, row_id) mod N, so all models and repeats of a row run
// together and every machine computes the same partition.
#pragma once

#include <string>
#include <string_view>

namespace evalrun {

struct Shard {
  long long index = 0;
  long long count = 1;

  bool Contains(std::string_view dataset, std::string_view row_id) const;
  bool all() const { return count == 1; }
  std::string ToString() const;  // "I/N"
};

/// Parses "I/N" with 0 <= I < N; false otherwise.
bool ParseShard(std::string_view text, Shard* out);

}  // namespace evalrun
