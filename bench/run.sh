#!/usr/bin/env bash
# Benchmarks evalrun's own cost per call against the floor of a libcurl client (bench/bare_curl:
# the same request on the wire, nothing parsed or recorded), beside wrk and curl --parallel, on
# the same mock server; every scenario runs twice, the rounds interleaved, and the best of the two
# counts. Prints one table (calls, wall s, client CPU s, CPU µs per call, calls/s, peak RSS) and
# the ratios the speed issue sets targets for.
# Usage: bench/run.sh [--full]   (--full adds the TLS rows: HTTP/1.1 with 64 connections and
# HTTP/2 with 64 streams on one connection; 200,000 rows against 20,000 for memory; 1,000,000 rows
# at 2,000 in flight; and report and compare over 1,000,000 records). Loopback only; every load is
# bounded in count or time.
set -euo pipefail
cd "$(dirname "$0")/.."
full=${1:-}

scripts/install-deps.sh wrk curl nghttp2-proxy nginx libnginx-mod-http-echo linux-perf
cmake --preset release >/dev/null
cmake --build --preset release --target evalrun bare_curl >/dev/null
bin=$PWD/build/release/evalrun
bare=$PWD/build/release/bare_curl
certs=$PWD/tests/data
work=bench/out
rm -rf "$work" && mkdir -p "$work"
export BENCH_KEY=bench-key
# Both clients straight to loopback: with a proxy variable set evalrun leaves libcurl to read
# it at every transfer, as the bare client (which always says "no proxy") does not.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
ulimit -n "$(ulimit -Hn)"

rows() {  # rows N FILE: arithmetic rows like the demo's
  awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\": %d, \"question\": \"What is %d + %d?\", \"answer\": \"%d\"}\n", i, i, i % 97, i + i % 97 }' > "$2"
}
# What evalrun sends for a row (checked against a capture of its request): bare_curl sends it.
printf '%s' '{"model":"mock-medium","messages":[{"role":"user","content":"What is 17 + 25?"}],"temperature":0,"max_tokens":16}' > "$work/body.json"

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
proxy_pid=""
start_server() {  # start_server ARGS...: the mock, on a free port; sets $url
  stop_server
  exec 3< <(exec "$bin" mock-server "$@")
  server_pid=$!
  read -r -u 3 line
  url=${line#listening on }
}
start_proxy() {  # start_proxy: nghttpx, TLS with h2 and http/1.1 by ALPN, in front of $url; sets $tls_url
  stop_proxy
  local backend=${url#http://}
  backend=${backend%/v1}
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  exec 4< <(exec /usr/sbin/nghttpx --conf=/dev/null --workers=1 --no-ocsp \
    --frontend="127.0.0.1,$port" --backend="${backend/:/,}" --backend-connections-per-host=128 \
    --frontend-http2-max-concurrent-streams=128 --errorlog-file=/dev/stderr \
    --accesslog-file="$work/proxy.log" --accesslog-format='$alpn $remote_port' \
    "$certs/test-key.pem" "$certs/test-cert.pem" 2>&1)
  proxy_pid=$!
  # nghttpx says when its worker accepts connections: reading up to that line is the wait.
  while read -r -u 4 line; do
    case $line in *"Created worker thread"*) break ;; *FATAL*) echo "nghttpx: $line" >&2; exit 1 ;; esac
  done
  tls_url="https://127.0.0.1:$port/v1"
}
proxy_seen() {  # proxy_seen WHO: the protocol and connections the proxy saw since the last call
  awk -v who="$1" '{ n[$1]++; port[$2] = 1 } END {
      for (p in n) protos = protos sprintf(" %s x%d", p, n[p])
      conns = 0; for (c in port) conns++
      printf "  (proxy saw, %s:%s requests over %d connections)\n", who, protos, conns }' "$work/proxy.log" >> "$work/protocols.txt"
  : > "$work/proxy.log"
}
stop_proxy() {
  if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
  proxy_pid=""
}
nginx_dir=""
start_nginx() {  # start_nginx: nginx answering chat calls after exactly 200 ms; sets $nginx_url
  nginx_dir=$PWD/$work/nginx
  mkdir -p "$nginx_dir"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$nginx_dir/nginx.conf" <<NGINX
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $nginx_dir/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"mock-medium","object":"model"}]}'; }
    location = /v1/chat/completions {
      default_type application/json;
      echo_read_request_body;
      echo_sleep 0.2;
      echo '{"id":"chatcmpl-1","object":"chat.completion","model":"mock-medium","choices":[{"index":0,"message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":1,"total_tokens":25}}';
    }
  }
}
NGINX
  # nginx returns once it listens (the master binds before it forks its worker).
  nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir" -g 'daemon on;'
  nginx_url="http://127.0.0.1:$port/v1"
}
stop_nginx() {
  if [ -n "$nginx_dir" ] && [ -f "$nginx_dir/nginx.pid" ]; then
    kill "$(cat "$nginx_dir/nginx.pid")" 2>/dev/null || true
  fi
  nginx_dir=""
}
stop_server() {
  stop_nginx
  stop_proxy
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

# timeline NAME CMD...: CMD once more under perf's syscall tracepoints, and where its wall time
# went (bench/timeline.py): start-up, opening the connections, the first round, each
# connection's period and the client's share of it, the time after the last answer.
timeline() {
  local name=$1
  shift
  if ! perf record -q -e syscalls:sys_exit_execve,syscalls:sys_enter_connect,syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_exit_group \
      -o "$work/perf.data" -- "$@" >/dev/null 2>"$work/perf.err"; then
    echo "  ($name: perf cannot trace here: $(head -1 "$work/perf.err"))" >> "$work/protocols.txt"
    return 0
  fi
  perf script -i "$work/perf.data" -F tid,time,event,trace 2>/dev/null |
    python3 bench/timeline.py "$name" | sed 's/^/  (/; s/$/)/' >> "$work/protocols.txt"
  rm -f "$work/perf.data"
}

# timed NAME CALLS CMD...: runs CMD under /usr/bin/time and appends a table row (CALLS "wrk":
# read from wrk's output).
timed() {
  local name=$1 calls=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >"$work/last.out" 2>"$work/last.err" || {
    echo "$name failed:" >&2; tail -5 "$work/last.err" >&2; return 1; }
  [ "$calls" = "wrk" ] && calls=$(awk '/requests in/ {print $1}' "$work/last.out")
  read -r wall user sys rss < "$work/time.txt"
  awk -v n="$name" -v c="$calls" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    cpu = u + s; printf "| %-44s | %9d | %7.2f | %7.2f | %8.1f | %9.0f | %7.1f |\n", n, c, w, cpu, cpu * 1e6 / c, c / w, r / 1024 }' \
    | tee -a "$work/table.md"
  # name|wall s|CPU us per call|RSS MB|calls/s, for the ratios below (the best round of each is taken)
  awk -v n="$name" -v c="$calls" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    printf "%s|%s|%.2f|%.2f|%.1f\n", n, w, (u + s) * 1e6 / c, r / 1024, c / w }' >> "$work/values.txt"
}

job() {  # job FILE DATASET CONCURRENCY [ENDPOINT-EXTRA]
  cat > "$1" <<YAML
name: bench
endpoint: {base_url: http://127.0.0.1:1/v1, api_key_env: BENCH_KEY, timeout_s: 60${4:+, $4}}
models: [mock-medium]
datasets: [{path: $2}]
prompt: {template: "{{question}}"}
params: {temperature: 0, max_tokens: 16}
concurrency: $3
output: {formats: [json, md], save_responses: true}
YAML
}
run_evalrun() {  # run_evalrun NAME CALLS JOB BASE_URL
  rm -rf "$work/run"
  timed "$1" "$2" "$bin" run "$3" --set "endpoint.base_url=$4" --out "$work/run" --progress none --no-cache
}

printf '| %-44s | %9s | %7s | %7s | %8s | %9s | %7s |\n' scenario calls "wall s" "CPU s" "µs/call" "calls/s" "RSS MB" | tee "$work/table.md"
printf '|%s|\n' "----------------------------------------------|-----------|---------|---------|----------|-----------|---------" | tee -a "$work/table.md"

rows 20000 "$work/rows20k.jsonl"
rows 10000 "$work/rows10k.jsonl"
job "$work/c64.yaml" rows20k.jsonl 64
job "$work/c1000.yaml" rows10k.jsonl 1000
for round in 1 2; do
  # 1. Client cost per call: 20,000 calls at concurrency 64, zero server latency.
  start_server --jitter 0
  run_evalrun "evalrun 20k c64" 20000 "$work/c64.yaml" "$url"
  timed "bare libcurl 20k c64" 20000 "$bare" "$url/chat/completions" "$work/body.json" 20000 64 "$BENCH_KEY"
  timed "curl --parallel-max 64, 20k" 20000 curl -s -Z --parallel-max 64 -H "Authorization: Bearer $BENCH_KEY" \
    -H "Content-Type: application/json" -d "@$work/body.json" "$url/chat/completions?[1-20000]"
  timed "wrk -t1 -c64 5s" wrk wrk -t1 -c64 -d5s -s bench/post.lua "$url/chat/completions"
  # 2. Many in flight: 10,000 calls at concurrency 1000, 200 ms per call (ideal wall 2.0 s),
  # against nginx (echo_sleep: a timer, nothing else) and against the mock. The bare client and
  # wrk against the same server show what it can serve; wrk's latency line shows its spread.
  stop_server
  start_nginx
  run_evalrun "evalrun 10k c1000 nginx 200ms (ideal 2s)" 10000 "$work/c1000.yaml" "$nginx_url"
  timed "bare libcurl 10k c1000 nginx 200ms" 10000 "$bare" "$nginx_url/chat/completions" "$work/body.json" 10000 1000 "$BENCH_KEY"
  timed "wrk -t1 -c1000 4s nginx 200ms" wrk wrk -t1 -c1000 -d4s -s bench/post.lua "$nginx_url/chat/completions"
  grep -h "Latency" "$work/last.out" | sed "s/^/  (round $round, wrk against nginx) /" >> "$work/protocols.txt"
  if [ "$round" = 1 ]; then
    rm -rf "$work/run"
    timeline "timeline, evalrun c1000 nginx" "$bin" run "$work/c1000.yaml" --set "endpoint.base_url=$nginx_url" \
      --out "$work/run" --progress none --no-cache
    timeline "timeline, bare libcurl c1000 nginx" "$bare" "$nginx_url/chat/completions" "$work/body.json" 10000 1000 "$BENCH_KEY"
  fi
  stop_nginx
  start_server --latency-ms 200 --jitter 0
  run_evalrun "evalrun 10k c1000 mock 200ms (ideal 2s)" 10000 "$work/c1000.yaml" "$url"
  timed "bare libcurl 10k c1000 mock 200ms" 10000 "$bare" "$url/chat/completions" "$work/body.json" 10000 1000 "$BENCH_KEY"
  timed "wrk -t1 -c1000 4s mock 200ms" wrk wrk -t1 -c1000 -d4s -s bench/post.lua "$url/chat/completions"
  grep -h "Latency" "$work/last.out" | sed "s/^/  (round $round, wrk against the mock) /" >> "$work/protocols.txt"
  if [ "$full" = "--full" ]; then
    # 3. TLS through nghttpx (the same server for both): HTTP/1.1 over 64 connections, HTTP/2
    # with 64 streams on one connection.
    start_server --jitter 0
    start_proxy
    job "$work/h1.yaml" rows20k.jsonl 64 "http: \"1.1\", ca_bundle: $certs/test-cert.pem"
    job "$work/h2.yaml" rows20k.jsonl 64 "http: \"2\", ca_bundle: $certs/test-cert.pem"
    : > "$work/proxy.log"
    run_evalrun "evalrun TLS HTTP/1.1 64 conns, 20k" 20000 "$work/h1.yaml" "$tls_url"
    proxy_seen "evalrun, http 1.1"
    timed "bare libcurl TLS HTTP/1.1 64 conns, 20k" 20000 "$bare" --cacert "$certs/test-cert.pem" \
      "$tls_url/chat/completions" "$work/body.json" 20000 64 "$BENCH_KEY"
    proxy_seen "bare libcurl, http 1.1"
    run_evalrun "evalrun TLS HTTP/2 64 streams, 20k" 20000 "$work/h2.yaml" "$tls_url"
    proxy_seen "evalrun, http 2"
    timed "bare libcurl TLS HTTP/2 64 streams, 20k" 20000 "$bare" --http2 --cacert "$certs/test-cert.pem" \
      "$tls_url/chat/completions" "$work/body.json" 20000 64 "$BENCH_KEY"
    proxy_seen "bare libcurl, http 2"
  fi
done

if [ "$full" = "--full" ]; then
  # 4. Memory against dataset size: 200,000 rows at concurrency 64 (compare with 20k above), and
  # 1,000,000 rows at 2,000 in flight.
  start_server --jitter 0
  rows 200000 "$work/rows200k.jsonl"
  job "$work/c64-200k.yaml" rows200k.jsonl 64
  run_evalrun "evalrun 200k c64" 200000 "$work/c64-200k.yaml" "$url"
  mv "$work/run" "$work/run-200k"
  # libcurl's own cost at 2,000 in flight, beside evalrun's (which spreads calls over multis).
  job "$work/c2000-200k.yaml" rows200k.jsonl 2000
  run_evalrun "evalrun 200k c2000" 200000 "$work/c2000-200k.yaml" "$url"
  timed "bare libcurl 200k c2000" 200000 "$bare" "$url/chat/completions" "$work/body.json" 200000 2000 "$BENCH_KEY"
  rows 1000000 "$work/rows1m.jsonl"
  job "$work/c2000-1m.yaml" rows1m.jsonl 2000
  run_evalrun "evalrun 1M rows c2000" 1000000 "$work/c2000-1m.yaml" "$url"
  rm -rf "$work/run" "$work/rows1m.jsonl"
  # 5. Reports rebuilt from 1,000,000 records: each its own call (a run of 1M calls), and the
  # 200k calls recorded five times over (as resumes leave them: the latest record counts).
  mkdir -p "$work/run-1m" "$work/run-1m-dup"
  cp "$work/run-200k/manifest.json" "$work/run-1m/"
  cp "$work/run-200k/manifest.json" "$work/run-1m-dup/"
  for i in 1 2 3 4 5; do sed "s/\"row_id\":\"\([^\"]*\)\"/\"row_id\":\"\1-$i\"/" "$work/run-200k/results.jsonl"; done > "$work/run-1m/results.jsonl"
  for i in 1 2 3 4 5; do cat "$work/run-200k/results.jsonl"; done > "$work/run-1m-dup/results.jsonl"
  timed "evalrun report, 1M calls" 1000000 "$bin" report "$work/run-1m"
  timed "evalrun report, 200k calls x 5 records" 1000000 "$bin" report "$work/run-1m-dup"
  rm -rf "$work/run-1m" "$work/run-1m-dup"
  # 6. Comparing models: 1,000,000 scored records of 2 models (500k rows each, paired, with the
  # row views' second read), and `compare` of two such runs.
  scored "$work/scored-base" 1
  scored "$work/scored-new" 2
  timed "evalrun report, 1M scored, 2 models" 1000000 "$bin" report "$work/scored-base"
  timed "evalrun compare, 2 runs of 1M scored" 2000000 "$bin" compare "$work/scored-base" "$work/scored-new" --max-regression 1
  rm -rf "$work/scored-base" "$work/scored-new"
fi
stop_server

# The issue's targets, from values.txt: the best (lowest) of the two rounds of each scenario.
echo
awk -F'|' '{
    if (!($1 in us) || $3 < us[$1]) us[$1] = $3
    if (!($1 in wall) || $2 < wall[$1]) wall[$1] = $2
    if (!($1 in rss) || $4 > rss[$1]) rss[$1] = $4
    if (!($1 in calls_s) || $5 > calls_s[$1]) calls_s[$1] = $5 }
  function line(what, v, target, unit) { printf "%-60s %8.2f%s   %s\n", what, v, unit, target }
  END {
    e = "evalrun 20k c64"; b = "bare libcurl 20k c64"
    line("evalrun CPU per call / bare libcurl (c64, best of two)", us[e] / us[b], "target <= 1.10x", "x")
    line("evalrun CPU per call / curl --parallel (c64)", us[e] / us["curl --parallel-max 64, 20k"], "", "x")
    line("evalrun CPU per call / wrk (c64)", us[e] / us["wrk -t1 -c64 5s"], "(wrk: no libcurl, no JSON)", "x")
    line("bare libcurl CPU per call / wrk (c64)", us[b] / us["wrk -t1 -c64 5s"], "(libcurl itself)", "x")
    for (k = 1; k <= 2; k++) {
      srv = k == 1 ? "nginx" : "mock"
      line("1,000 in flight, " srv ": evalrun wall / ideal 2.0 s", wall["evalrun 10k c1000 " srv " 200ms (ideal 2s)"] / 2.0, k == 1 ? "target <= 1.05x" : "", "x")
      line("1,000 in flight, " srv ": bare libcurl wall / ideal 2.0 s", wall["bare libcurl 10k c1000 " srv " 200ms"] / 2.0, "", "x")
      w = "wrk -t1 -c1000 4s " srv " 200ms"
      line("1,000 in flight, " srv ": ideal 5,000 calls/s / wrk calls/s", 5000 / calls_s[w], "(wrk counts whole waves in 4 s)", "x")
    }
    h1 = "evalrun TLS HTTP/1.1 64 conns, 20k"; h2 = "evalrun TLS HTTP/2 64 streams, 20k"
    if (us[h1] > 0) {
      line("TLS: evalrun CPU per call, HTTP/2 64 streams / HTTP/1.1 64 conns", us[h2] / us[h1], "", "x")
      line("TLS HTTP/1.1: evalrun / bare libcurl", us[h1] / us["bare libcurl TLS HTTP/1.1 64 conns, 20k"], "", "x")
      line("TLS HTTP/2: evalrun / bare libcurl", us[h2] / us["bare libcurl TLS HTTP/2 64 streams, 20k"], "", "x")
    }
    if (rss["evalrun 200k c64"] > 0) {
      line("peak RSS 200k rows / 20k rows", rss["evalrun 200k c64"] / rss[e], "target <= 1.10x", "x")
      line("peak RSS, 1M rows at c2000", rss["evalrun 1M rows c2000"], "", " MB")
      line("2,000 in flight: evalrun CPU per call / bare libcurl", us["evalrun 200k c2000"] / us["bare libcurl 200k c2000"], "(evalrun spreads calls over multis)", "x")
      line("report, 1M records (1M calls)", wall["evalrun report, 1M calls"], "< 3 s", " s")
      line("report, 1M records (200k calls x 5)", wall["evalrun report, 200k calls x 5 records"], "< 3 s", " s")
      line("report, 1M scored records of 2 models", wall["evalrun report, 1M scored, 2 models"], "< 5 s", " s")
      line("compare, 2 runs of 1M scored records", wall["evalrun compare, 2 runs of 1M scored"], "< 5 s", " s")
    }
  }' "$work/values.txt" | tee "$work/ratios.txt"
[ -f "$work/protocols.txt" ] && { echo; cat "$work/protocols.txt"; }
echo
echo "table: $work/table.md, ratios: $work/ratios.txt"
