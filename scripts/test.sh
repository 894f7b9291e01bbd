#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian packages; npm packages into build/npm),
# builds with warnings as errors, runs every test; then builds and runs it all again under
# AddressSanitizer and UndefinedBehaviorSanitizer, the engine and end-to-end tests under
# ThreadSanitizer, and fuzzes each parser of outside data for EVALRUN_FUZZ_SECONDS (default 15)
# each.
# Set EVALRUN_SKIP_SANITIZERS=1 for a quick local loop (no sanitizer pass, no fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."

# Test-only: Chromium renders report.html; nginx is a real proxy in front of the mock (its own
# 429/444/502/504 pages, HTTP/2 over TLS); dpkg-dev and file let cpack build the .deb the
# package test installs; the OpenAI Node SDK is a real client of the mock.
scripts/install-deps.sh chromium fonts-dejavu-core nginx dpkg-dev file
scripts/install-npm.sh
jobs=$(nproc)

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

if [ "${EVALRUN_SKIP_SANITIZERS:-0}" != "1" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs"
  # ThreadSanitizer over the engine (its stop signal and transport wake-up cross threads) and
  # the end-to-end runs.
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs"
  ctest --preset tsan -j "$jobs"
  scripts/fuzz.sh "${EVALRUN_FUZZ_SECONDS:-15}"
fi
