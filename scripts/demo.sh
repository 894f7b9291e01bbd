#!/usr/bin/env bash
# The demo: installs what is missing, builds evalrun, starts the built-in mock server on a free
# loopback port and runs configs/demo.yaml against it. Prints where the reports are.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target evalrun
bin=build/release/evalrun

# The server prints its URL once it is listening; reading that line is the wait.
exec 3< <(exec "$bin" mock-server --latency-ms 40 --per-token-ms 2)
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r -u 3 line
url=${line#listening on }
echo "mock server: $url" >&2

# The mock accepts any key; a real run reads yours from WANDB_API_KEY.
EVALRUN_DEMO_KEY=${EVALRUN_DEMO_KEY:-demo-key} \
  "$bin" run configs/demo.yaml --no-cache --set "endpoint.base_url=$url" "$@" | tee /tmp/evalrun-demo.out
dir=$(sed -n 's/^reports: //p' /tmp/evalrun-demo.out | tail -n 1)
echo
cat "$dir/report.md"
echo
echo "reports are in $dir (open $dir/report.html in a browser)"
