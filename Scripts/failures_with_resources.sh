#!/usr/bin/env bash
# Runs every Scenarios/failure/*.toml with a `[resources]` table appended (the paper
# testbed's: all defaults, `Scenarios/paper/testbed.toml`), so that the calibrated client
# (the SDK's read order, retries and limits) is checked under every fault the project models.
# Prints one line per scenario with `walrus-sim run`'s exit status (0 ok, 3 a violation within
# the protocol's fault assumptions) and its summary; exits 1 if any scenario did not pass.
#
#   Scripts/failures_with_resources.sh [BINARY] [extra `run` options, e.g. --seed 1]
#
# BINARY defaults to .build/release/walrus-sim (build it with `Scripts/build-release.sh`).
set -u
cd "$(dirname "$0")/.."
bin="${1:-.build/release/walrus-sim}"
shift || true
tmp="$(mktemp -d "${TMPDIR:-/tmp}/failures-with-resources.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
status=0
for f in Scenarios/failure/*.toml; do
    name="$(basename "$f" .toml)"
    if grep -q '^\[resources\]' "$f"; then
        cp "$f" "$tmp/$name.toml"
    else
        { cat "$f"; printf '\n[resources]\n'; } > "$tmp/$name.toml"
    fi
    start=$(date +%s)
    "$bin" run "$tmp/$name.toml" --quiet --no-database "$@" > "$tmp/$name.out" 2>&1
    rc=$?
    printf '%-32s exit %d  %3ds\n' "$name" "$rc" "$(( $(date +%s) - start ))"
    grep -iE 'violation|fail|read|write' "$tmp/$name.out" | sed 's/^/    /' | head -12
    [ "$rc" -eq 0 ] || status=1
done
exit $status
