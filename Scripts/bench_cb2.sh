#!/usr/bin/env bash
# Builds and runs cb2-bench: CBlake2b's batch kernels against libsodium's per-call BLAKE2b on the
# shapes of a Walrus blob ID, in the same run (BENCHMARKS.md, "BLAKE2b kernels"). It is a
# benchmark of the C kernel alone, so it stays out of the package's build: plain cc, -O3.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
out=${SCRATCH:-.build}/cb2-bench
mkdir -p "$(dirname "$out")"
cc -O3 -std=c11 -D_POSIX_C_SOURCE=200809L -ISources/CBlake2b/include \
  Benchmarks/cb2-bench/main.c Sources/CBlake2b/*.c -lsodium -o "$out"
exec "$out" "$@"
