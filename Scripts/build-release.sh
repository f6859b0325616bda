#!/usr/bin/env bash
# The release build of walrus-sim that the scripts and the benchmarks use. Extra arguments go
# to `swift build` (e.g. --scratch-path).
#
# On Linux with thin LTO (SwiftPM's --experimental-lto-mode; lld, which Package.swift already
# links release builds with there): the package's modules are optimized together at the link,
# so calls across modules on a world's event path (the world into the network, the engine,
# the model) are inlined. The standard modeled `bench world` runs about 4% fewer instructions,
# and its event rate relative to PHOLD's rises from ~0.25 to ~0.26 (BENCHMARKS.md). A plain
# `swift build -c release` builds the same program without it; both give the same digests.
# Either way the link goes through Scripts/link-order/link.sh, which lays the code out with
# BOLT when it is installed (another ~6%; WALRUS_BOLT=0 in the environment of a relink skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
lto=()
[ "$(uname -s)" = Linux ] && lto=(--experimental-lto-mode=thin)
exec swift build -c release --explicit-target-dependency-import-check error "${lto[@]}" --product walrus-sim "$@"
