#!/usr/bin/env bash
# Benchmarks evalrun against the HTTP-client limit (wrk) and plain libcurl (curl --parallel) on
# the same mock server, and prints one table: calls, wall s, client CPU s, CPU µs per call,
# calls/s, peak RSS. Usage: bench/run.sh [--full]   (--full adds 200,000 rows, 1,000,000-record
# report rebuilds, and report and compare on 1,000,000 scored records of two models). Loopback only; every load is bounded in count or time.
set -euo pipefail
cd "$(dirname "$0")/.."
full=${1:-}

scripts/install-deps.sh wrk curl
cmake --preset release >/dev/null
cmake --build --preset release --target evalrun >/dev/null
bin=$PWD/build/release/evalrun
work=bench/out
rm -rf "$work" && mkdir -p "$work"
export BENCH_KEY=bench-key
ulimit -n "$(ulimit -Hn)"

rows() {  # rows N FILE: arithmetic rows like the demo's
  awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\": %d, \"question\": \"What is %d + %d?\", \"answer\": \"%d\"}\n", i, i, i % 97, i + i % 97 }' > "$2"
}

scored() {  # scored DIR SEED: a run directory of 500,000 rows x 2 models, each call scored 0/1
  mkdir -p "$1"
  awk -v seed="$2" 'BEGIN { srand(seed)
    for (i = 1; i <= 500000; i++) {
      u = rand()
      for (m = 0; m < 2; m++) {
        model = m ? "mock-small" : "mock-large"; s = (u < (m ? 0.6 : 0.8)) ? 1 : 0
        if (rand() < 0.1) s = 1 - s
        printf "{\"run_id\":\"bench\",\"model\":\"%s\",\"model_id\":\"%s\",\"dataset\":\"rows\",\"row_id\":\"%d\",\"repeat\":0,\"status\":\"ok\",\"error_kind\":null,\"http_status\":200,\"attempts\":1,\"started_at\":\"2026-12-02T10:00:00.000Z\",\"latency_ms\":%.3f,\"ttft_ms\":null,\"queue_ms\":0.0,\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":3,\"total_tokens\":27},\"cost_usd\":0.0000021,\"finish_reason\":\"stop\",\"response\":\"%d\",\"scores\":{\"exact\":%d},\"request_id\":\"req-%d-%d\",\"cached\":false}\n", model, model, i, 20 + rand() * 30, i, s, i, m
      }
    } }' > "$1/results.jsonl"
  printf '{"run_id": "bench-%s", "job": {"name": "bench"}, "datasets": [{"name": "rows", "path": "rows.jsonl", "sha256": "0", "rows": 500000}], "planned_calls": 1000000, "shard": null, "started_at": "2026-12-02T10:00:00.000Z", "finished_at": "2026-12-02T10:10:00.000Z", "plan": null}\n' "$2" > "$1/manifest.json"
}

server_pid=""
start_server() {  # start_server ARGS...: sets $url
  stop_server
  exec 3< <(exec "$bin" mock-server "$@")
  server_pid=$!
  read -r -u 3 line
  url=${line#listening on }
}
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

# timed NAME CALLS CMD...: runs CMD under /usr/bin/time and appends a table row.
timed() {
  local name=$1 calls=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed:" >&2; tail -5 "$work/$name.err" >&2; return 1; }
  [ "$calls" = "wrk" ] && calls=$(awk '/requests in/ {print $1}' "$work/$name.out")
  read -r wall user sys rss < "$work/time.txt"
  awk -v n="$name" -v c="$calls" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    cpu = u + s; printf "| %-38s | %9d | %7.2f | %7.2f | %8.1f | %9.0f | %7.1f |\n", n, c, w, cpu, cpu * 1e6 / c, c / w, r / 1024 }' \
    | tee -a "$work/table.md"
  # name|wall s|CPU us per call|RSS MB, for the ratios below
  awk -v n="$name" -v c="$calls" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    printf "%s|%s|%.2f|%.2f\n", n, w, (u + s) * 1e6 / c, r / 1024 }' >> "$work/values.txt"
}

# ratios: the targets of the speed issue, from values.txt
ratios() {
  awk -F'|' '{ wall[$1] = $2; us[$1] = $3; rss[$1] = $4 }
    function line(what, v, target, unit) {
      printf "%-52s %8.2f%s   target %s\n", what, v, unit, target }
    END {
      w = "wrk -t1 -c64 5s"
      if (us[w] > 0) {
        line("evalrun CPU per call / wrk (c64)", us["evalrun 20k c64"] / us[w], "<= 1.5x", "x")
        line("curl --parallel CPU per call / wrk (c64)", us["curl --parallel-max 64, 20k"] / us[w], "(libcurl alone)", "x")
        line("evalrun CPU per call / curl --parallel (c64)", us["evalrun 20k c64"] / us["curl --parallel-max 64, 20k"], "(evalrun over libcurl)", "x")
      }
      c = "evalrun 10k c1000 200ms (ideal 2s)"
      if (wall[c] > 0) line("1,000 in flight: wall / ideal 2.0 s", wall[c] / 2.0, "<= 1.15x", "x")
      if (rss["evalrun 200k c64"] > 0) {
        line("peak RSS 200k rows / 20k rows", rss["evalrun 200k c64"] / rss["evalrun 20k c64"], "<= 1.2x", "x")
        line("peak RSS at 200k rows", rss["evalrun 200k c64"], "< 64 MB", " MB")
      }
      if (wall["evalrun report, 1M calls"] > 0) {
        line("report, 1M records (1M calls)", wall["evalrun report, 1M calls"], "< 3 s", " s")
        line("report, 1M records (200k calls x 5)", wall["evalrun report, 200k calls x 5 records"], "< 3 s", " s")
      }
      r = "evalrun report, 1M scored, 2 models"; c = "evalrun compare, 2 runs of 1M scored"
      if (wall[r] > 0) {
        line("report, 1M scored records of 2 models", wall[r], "< 5 s", " s")
        line("report, 1M scored records: peak RSS", rss[r], "< 200 MB", " MB")
        line("compare, 2 runs of 1M scored records", wall[c], "< 5 s", " s")
        line("compare: peak RSS", rss[c], "< 200 MB", " MB")
      }
    }' "$work/values.txt" | tee "$work/ratios.txt"
}

job() {  # job FILE DATASET CONCURRENCY
  cat > "$1" <<YAML
name: bench
endpoint: {base_url: http://127.0.0.1:1/v1, api_key_env: BENCH_KEY, timeout_s: 60}
models: [mock-medium]
datasets: [{path: $2}]
prompt: {template: "{{question}}"}
params: {temperature: 0, max_tokens: 16}
concurrency: $3
output: {formats: [json, md], save_responses: true}
YAML
}

printf '| %-38s | %9s | %7s | %7s | %8s | %9s | %7s |\n' scenario calls "wall s" "CPU s" "µs/call" "calls/s" "RSS MB" | tee "$work/table.md"
printf '|%s|\n' "----------------------------------------|-----------|---------|---------|----------|-----------|---------" | tee -a "$work/table.md"

# 1. Client cost per call: 20,000 calls at concurrency 64, zero server latency.
start_server --jitter 0
rows 20000 "$work/rows20k.jsonl"
job "$work/c64.yaml" rows20k.jsonl 64
timed "evalrun 20k c64" 20000 "$bin" run "$work/c64.yaml" --set "endpoint.base_url=$url" --out "$work/run-c64" --progress none --no-cache
timed "wrk -t1 -c64 5s" wrk wrk -t1 -c64 -d5s -s bench/post.lua "$url/chat/completions"
body='{"model":"mock-medium","messages":[{"role":"user","content":"What is 17 + 25?"}],"temperature":0,"max_tokens":16}'
timed "curl --parallel-max 64, 20k" 20000 curl -s -Z --parallel-max 64 -H "Authorization: Bearer bench-key" \
  -H "Content-Type: application/json" -d "$body" "$url/chat/completions?[1-20000]"

# 2. Many in flight: 10,000 calls at concurrency 1000, 200 ms per call (ideal wall 2.0 s).
start_server --latency-ms 200 --jitter 0
rows 10000 "$work/rows10k.jsonl"
job "$work/c1000.yaml" rows10k.jsonl 1000
timed "evalrun 10k c1000 200ms (ideal 2s)" 10000 "$bin" run "$work/c1000.yaml" --set "endpoint.base_url=$url" --out "$work/run-c1000" --progress none --no-cache
timed "wrk -t1 -c1000 4s 200ms" wrk wrk -t1 -c1000 -d4s -s bench/post.lua "$url/chat/completions"

# 3. Memory against dataset size: 200,000 rows at concurrency 64 (compare with row 1).
if [ "$full" = "--full" ]; then
  start_server --jitter 0
  rows 200000 "$work/rows200k.jsonl"
  job "$work/c64-200k.yaml" rows200k.jsonl 64
  timed "evalrun 200k c64" 200000 "$bin" run "$work/c64-200k.yaml" --set "endpoint.base_url=$url" --out "$work/run-200k" --progress none --no-cache
  # 4. Reports rebuilt from 1,000,000 records: each its own call (a run of 1M calls), and the
  # 200k calls recorded five times over (as resumes leave them: the latest record counts).
  mkdir -p "$work/run-1m" "$work/run-1m-dup"
  cp "$work/run-200k/manifest.json" "$work/run-1m/"
  cp "$work/run-200k/manifest.json" "$work/run-1m-dup/"
  for i in 1 2 3 4 5; do sed "s/\"row_id\":\"\([^\"]*\)\"/\"row_id\":\"\1-$i\"/" "$work/run-200k/results.jsonl"; done > "$work/run-1m/results.jsonl"
  for i in 1 2 3 4 5; do cat "$work/run-200k/results.jsonl"; done > "$work/run-1m-dup/results.jsonl"
  timed "evalrun report, 1M calls" 1000000 "$bin" report "$work/run-1m"
  timed "evalrun report, 200k calls x 5 records" 1000000 "$bin" report "$work/run-1m-dup"
  # 5. Comparing models: 1,000,000 scored records of 2 models (500k rows each, paired, with the
  # row views' second read), and `compare` of two such runs.
  scored "$work/scored-base" 1
  scored "$work/scored-new" 2
  timed "evalrun report, 1M scored, 2 models" 1000000 "$bin" report "$work/scored-base"
  timed "evalrun compare, 2 runs of 1M scored" 2000000 "$bin" compare "$work/scored-base" "$work/scored-new" --max-regression 1
fi
stop_server
echo
ratios
echo
echo "table: $work/table.md, ratios: $work/ratios.txt"
