#!/usr/bin/env bash
# The linker of walrus-sim's release builds on Linux (Package.swift, `hotFunctionsFirst`):
# lld, then BOLT, which lays out the linked binary's code by a profile measured on it.
#
# Why: the hot code of a modeled world (a few hundred functions in nine modules, the biggest
# with every handler inlined, hot and cold blocks interleaved) is about four times the size of
# the instruction cache; the symbol ordering file only puts whole functions together. BOLT also
# moves each function's hot blocks together and its cold blocks out of the way (what
# profile-guided optimization would do, which crashes this compiler). It changes no instruction's
# meaning: the digests stay the same, and the link checks that they do.
#
# How: the linked binary is instrumented (`llvm-bolt -instrument`), the copy runs a training
# workload (below), and `llvm-bolt` rewrites the binary by the merged profile. The training is
# not the benchmark: a modeled world of another size with its paired PHOLD (the engine's own
# loop), and the quickstart scenario (real encoding, a crash, recovery). Adds ~20 s to a
# release link.
#
# Without BOLT (not installed: `apt-get install bolt-19`, which Scripts/setup.sh does as root;
# not x86-64; or WALRUS_BOLT=0), or if any step fails, the binary keeps lld's layout and the
# link still succeeds: BOLT only makes it faster.
set -euo pipefail
package=$(cd "$(dirname "$0")/../.." && pwd)

lld=$(command -v ld.lld || true)
[ -n "$lld" ] || lld="$(dirname "$(command -v swiftc)")/ld.lld"
# --emit-relocs: BOLT moves code only in binaries that kept their relocations.
"$lld" --emit-relocs "$@"

out=""
prev=""
for arg in "$@"; do
  [ "$prev" = "-o" ] && out=$arg
  prev=$arg
done
note() { echo "link.sh: $*" >&2; }

[ "${WALRUS_BOLT:-1}" != 0 ] || exit 0
[ "$(uname -m)" = x86_64 ] || exit 0
[ -n "$out" ] && [ -x "$out" ] || { note "no executable output (-o) to lay out"; exit 0; }
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"  # the training runs elsewhere
bolt=""
for candidate in $(ls -d /usr/lib/llvm-*/bin/llvm-bolt 2>/dev/null | sort -V -r) "$(command -v llvm-bolt || true)"; do
  [ -x "$candidate" ] && [ -x "$(dirname "$candidate")/merge-fdata" ] && { bolt=$candidate; break; }
done
if [ -z "$bolt" ]; then
  note "BOLT is not installed (Debian: apt-get install bolt-19): $out keeps the link's layout"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/walrus-bolt.XXXXXX") || { note "no temporary directory: $out keeps the link's layout"; exit 0; }
trap 'rm -rf "$work"' EXIT
fail() { note "$1; $out keeps the link's layout (log: $work/bolt.log)"; tail -5 "$work/bolt.log" >&2 || true; trap - EXIT; exit 0; }

"$bolt" "$out" -instrument -instrumentation-file="$work/profile" -instrumentation-file-append-pid \
  -o "$work/instrumented" >"$work/bolt.log" 2>&1 || fail "instrumenting failed"
(
  cd "$package"
  "$work/instrumented" bench world --nodes 60 --shards 600 --blobs 800 --epochs 2 --encoding modeled \
    --churn-permille 50 --phold-events 400000
  "$work/instrumented" run Scenarios/quickstart.toml --no-database
) >>"$work/bolt.log" 2>&1 || fail "the training run failed"
"$(dirname "$bolt")/merge-fdata" "$work"/profile.*.fdata >"$work/profile.fdata" 2>>"$work/bolt.log" || fail "merging the profiles failed"
"$bolt" "$out" -o "$work/optimized" -data="$work/profile.fdata" -reorder-blocks=ext-tsp -reorder-functions=cdsort \
  -split-functions -split-all-cold -update-debug-sections >>"$work/bolt.log" 2>&1 || fail "optimizing failed"

# The rewritten binary must run the same events as the linked one.
check=(bench world --nodes 20 --shards 100 --blobs 60 --epochs 2 --encoding modeled --churn-permille 50 --phold-events 0)
linked=$(cd "$package" && "$out" "${check[@]}" | grep -oE 'digest=[0-9a-f]+' || true)
optimized=$(cd "$package" && "$work/optimized" "${check[@]}" | grep -oE 'digest=[0-9a-f]+' || true)
[ -n "$linked" ] && [ "$linked" = "$optimized" ] || fail "the optimized binary's digest ($optimized) is not the linked one's ($linked)"
mv -f "$work/optimized" "$out"
note "code laid out by BOLT from a training profile"
