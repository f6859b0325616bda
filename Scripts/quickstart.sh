#!/usr/bin/env bash
# Sets up a fresh machine (Debian packages), builds walrus-sim in release mode, and runs the
# quickstart scenario: a small Walrus world (20 nodes, 100 shards, two epochs, a crash) whose
# results land in Results/quickstart/quickstart-seed42.sqlite. Extra arguments go to `run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
bash Scripts/build-release.sh
exec .build/release/walrus-sim run Scenarios/quickstart.toml "$@"
