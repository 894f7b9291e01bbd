#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as errors, runs every
# test; then builds and runs it all again under AddressSanitizer and UndefinedBehaviorSanitizer,
# and fuzzes each parser of outside data for EVALRUN_FUZZ_SECONDS (default 15) each.
# Set EVALRUN_SKIP_SANITIZERS=1 for a quick local loop (no sanitizer pass, no fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh chromium fonts-dejavu-core  # the report.html test renders in Chromium
jobs=$(nproc)

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

if [ "${EVALRUN_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs"
  scripts/fuzz.sh "${EVALRUN_FUZZ_SECONDS:-15}"
fi
