#!/usr/bin/env bash
# Sets up a fresh machine, builds walrus-sim in release mode, and runs the quickstart.
# For now the quickstart is the engine benchmark (PHOLD with defaults); it becomes the
# quickstart scenario once the world and the run pipeline land.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --explicit-target-dependency-import-check error --product walrus-sim
exec .build/release/walrus-sim bench phold "$@"
