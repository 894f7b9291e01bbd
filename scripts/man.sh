#!/usr/bin/env bash
# Writes evalrun's man page from its own help text, so the two never disagree.
# Usage: scripts/man.sh path/to/evalrun OUT.1   (CMake runs it when the binary changes)
set -euo pipefail
bin=$1
out=$2

# roff: a backslash is \e; a line starting with '.' or "'" would be a request, so guard it.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

version=$("$bin" --version | awk '{print $2}')
commands=$("$bin" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
{
  echo ".TH EVALRUN 1 \"\" \"evalrun $version\" \"User Commands\""
  echo ".SH NAME"
  echo "evalrun \\- batch evaluation runner for OpenAI-compatible inference APIs"
  echo ".SH SYNOPSIS"
  echo ".B evalrun"
  echo "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]"
  echo ".SH DESCRIPTION"
  echo ".nf"
  "$bin" --help | roff
  echo ".fi"
  echo ".SH COMMANDS"
  for c in $commands; do
    echo ".SS $c"
    echo ".nf"
    "$bin" help "$c" | roff
    echo ".fi"
  done
  echo ".SH FILES"
  echo "Example jobs and the W&B pricing file are installed in share/evalrun/configs; the JSON"
  echo "Schema of summary.json in share/evalrun/summary.schema.json."
} >"$out"
