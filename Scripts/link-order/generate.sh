#!/usr/bin/env bash
# Regenerates Scripts/link-order/hot-functions.txt: the functions of walrus-sim that run the
# most instructions in the standard modeled `bench world`, hottest first, for the release link
# to lay out together (Package.swift, `hotFunctionsFirst`). Needs valgrind (callgrind).
#
# Why: the world's event path runs through a few hundred functions spread over nine modules;
# laid out in link order they took ~15 instruction-cache misses per event (cachegrind), against
# almost none for PHOLD. Together they take fewer cache lines and pages. A stale list only
# loses some of that: symbols it names that no longer exist are ignored, new ones go after.
set -euo pipefail
cd "$(dirname "$0")/../.."
touch Scripts/link-order/hot-functions.txt  # the link reads it (empty: link order)
bash Scripts/build-release.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip --strip-debug -o "$work/walrus-sim" .build/release/walrus-sim
valgrind --tool=callgrind --callgrind-out-file="$work/profile" "$work/walrus-sim" bench world \
    --nodes 111 --shards 1000 --blobs 2000 --epochs 2 --encoding modeled --churn-permille 20 --phold-events 0 >/dev/null 2>"$work/valgrind.log"
# Self cost per function, descending; keep the binary's own (mangled) symbols.
callgrind_annotate --inclusive=no --threshold=99.9 "$work/profile" \
    | sed -nE "s|^ *[0-9,]+ \([^)]*\) +\?\?\?:(\S+) \[$work/walrus-sim\]\$|\1|p" \
    > Scripts/link-order/hot-functions.txt
echo "$(wc -l < Scripts/link-order/hot-functions.txt) functions in Scripts/link-order/hot-functions.txt"
# SwiftPM does not know the link reads the list: relink so that the new layout is in the binary.
rm -f .build/release/walrus-sim
bash Scripts/build-release.sh
