#!/usr/bin/env bash
# Blob-ID benchmark table for BENCHMARKS.md (section "Blob ID and metadata").
#
# For n = 1000 shards and blobs of 1 MiB and 32 MiB, measures in one run:
#   - blob-id: `walrus-sim bench blob-id` (metadata + ID, no slivers kept), 1 and 2 threads;
#   - the floor: the ~3.0 M BLAKE2b calls of one blob's metadata alone (n^2 leaf hashes of 1+s
#     bytes, ~2n inner-hash trees, pair leaves, blob ID), with the same input sizes, hashed by
#     the multi-buffer SIMD kernel the encoder uses, by one scalar Swift call per hash, and by
#     one libsodium crypto_generichash call per hash.
# Each figure is the fastest of REPEAT runs (default 5). Usage: Scripts/bench_blob_id.sh [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT="${1:-5}"
SCRATCH="${SCRATCH:-.build-rsd}"
swift build -c release --scratch-path "$SCRATCH" >/dev/null
BIN="$SCRATCH/release/walrus-sim"

# "wall / cpu" for one bench line: fastest wall-clock run and fastest process-CPU-time run.
secs() { sed -n 's/.* seconds=\([0-9.]*\) cpu_seconds=\([0-9.]*\).*/\1 \/ \2/p'; }
wall() { cut -d' ' -f1 <<<"$1"; }
cpu() { cut -d' ' -f3 <<<"$1"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "simd lanes: $("$BIN" bench blob-id --shards 1000 --bytes 1 --floor --threads 1 | sed -n 's/.*simd_lanes=\([0-9]*\).*/\1/p')"
echo
echo "Cells are wall-clock / process-CPU seconds (fastest of $REPEAT runs each); so is the ratio."
echo
echo "| blob | threads | blob-id | floor, SIMD kernel | floor, scalar Swift | floor, libsodium | blob-id / SIMD floor |"
echo "|---|---|---|---|---|---|---|"
for bytes in 1048576 33554432; do
  label=$([ "$bytes" = 1048576 ] && echo "1 MiB" || echo "32 MiB")
  for t in 1 2; do
    id=$("$BIN" bench blob-id --shards 1000 --bytes "$bytes" --threads "$t" --repeat "$REPEAT" | secs)
    fs=$("$BIN" bench blob-id --shards 1000 --bytes "$bytes" --threads "$t" --repeat "$REPEAT" --floor --hasher simd | secs)
    fc=$("$BIN" bench blob-id --shards 1000 --bytes "$bytes" --threads "$t" --repeat "$REPEAT" --floor --hasher scalar | secs)
    fo=$("$BIN" bench blob-id --shards 1000 --bytes "$bytes" --threads "$t" --repeat "$REPEAT" --floor --hasher sodium | secs)
    ratio=$(awk -v a="$(wall "$id")" -v b="$(wall "$fs")" -v c="$(cpu "$id")" -v d="$(cpu "$fs")" 'BEGIN { printf "%.2f / %.2f", a / b, c / d }')
    echo "| $label | $t | $id | $fs | $fc | $fo | $ratio |"
  done
done
