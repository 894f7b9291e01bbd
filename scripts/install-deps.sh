#!/usr/bin/env bash
# Installs the Debian packages evalrun builds and tests with, only those that are missing.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config libcurl4-openssl-dev libssl-dev rapidjson-dev
          libyaml-cpp-dev libfmt-dev catch2 libevent-dev libcli11-dev libpcre2-dev
          libutf8proc-dev  # NFC, for the Qwen tokenizer
          nghttp2-proxy  # nghttpx: the HTTP/2 front of the mock server in the HTTP/2 test
          zlib1g-dev     # the report.html test reads Chromium's PNG screenshots
          "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
