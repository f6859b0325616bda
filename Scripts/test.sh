#!/usr/bin/env bash
# Sets up a fresh machine (Debian packages), builds, and runs the whole test suite.
# Heavier test tiers run with WALRUS_SLOW_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
# The import check makes a layering slip (a target importing what it does not depend on) fail
# the build, as DESIGN §3 asks.
swift build --build-tests --explicit-target-dependency-import-check error
exec swift test --skip-build --explicit-target-dependency-import-check error "$@"
