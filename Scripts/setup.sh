#!/usr/bin/env bash
# Installs what walrus-sim needs from Debian when it is missing, then returns.
# As root it runs apt-get (update once, then install); otherwise it names the packages to install.
# Idempotent and quiet when everything is present. Sourced or run by quickstart.sh and test.sh.
set -euo pipefail

# package -> a file it provides, to test for presence without dpkg queries on every call
declare -A probe=(
  [libgsl-dev]=/usr/include/gsl/gsl_rng.h
  [libsodium-dev]=/usr/include/sodium.h
  [libsqlite3-dev]=/usr/include/sqlite3.h
)
missing=()
for pkg in libgsl-dev libsodium-dev libsqlite3-dev; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done

# Optional: BOLT, with which release links lay out the code by a measured profile
# (Scripts/link-order/link.sh; x86-64 only). Without it release builds are ~6% slower, not wrong.
optional=()
if [ "$(uname -m)" = x86_64 ] && ! ls /usr/lib/llvm-*/bin/llvm-bolt >/dev/null 2>&1 && ! command -v llvm-bolt >/dev/null; then
  optional+=(bolt-19)
fi

if [ ${#missing[@]} -gt 0 ] || [ ${#optional[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]} ${optional[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    [ ${#missing[@]} -eq 0 ] || apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ ${#optional[@]} -gt 0 ] && ! apt-get install -y -qq "${optional[@]}" >/dev/null 2>&1; then
      echo "setup: could not install ${optional[*]} (optional): release builds keep the link's code layout" >&2
    fi
  elif [ ${#missing[@]} -gt 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  else
    echo "setup: optional: sudo apt-get install -y ${optional[*]} (BOLT: faster release builds)" >&2
  fi
fi

if ! command -v swift >/dev/null; then
  echo "setup: no 'swift' on PATH; walrus-sim needs Swift 6.1 or later (built and tested with 6.3.1)" >&2
  exit 1
fi
