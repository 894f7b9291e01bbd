#!/usr/bin/env bash
# Fuzzes every parser that reads outside data (job files, dataset rows, API responses and
# results files, SSE streams) with libFuzzer under ASan + UBSan, SECONDS each (default 60).
# New inputs and any crash land in tests/fuzz/out/ (git-ignored); a crash fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

scripts/install-deps.sh clang libclang-rt-14-dev
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

status=0
for target in job_parser row_parser chat_response sse tokenizer; do
  out=tests/fuzz/out/$target
  mkdir -p "$out"
  echo "fuzzing $target for ${seconds}s" >&2
  if ! build/fuzz/fuzz_$target "$out" tests/fuzz/corpus/$target -max_total_time="$seconds" \
       -artifact_prefix="$out/" -print_final_stats=1 >"$out.log" 2>&1; then
    echo "fuzz_$target crashed; see $out.log and the crash-* file in $out" >&2
    tail -n 40 "$out.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^Done" "$out.log" | sed "s/^/  /" >&2 || true
  fi
done
exit $status
