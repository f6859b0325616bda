#!/usr/bin/env bash
# BLS12-381 (min_pk) timings: walrus-sim's pure Swift library against blst, through the pyblst
# wheel (manylinux, installs without crates.io), side by side in one run.
#
# Usage: Scripts/bench_bls.sh [ROUNDS] [ITERATIONS]     (default 3 rounds of 20 iterations)
# Env:   VENV   a venv with pyblst (created at /tmp/walrus-sim-bls-venv if missing)
#
# Both sides report the median *thread CPU time* per operation (the machines are shared; CPU time
# is less sensitive to other jobs than wall time). The table gives each side's best round, their
# ratio, and the median over rounds of the per-round ratio (each round runs the peer and then
# walrus-sim back to back), which is the steadier figure on a noisy machine.
# pairing_us on the peer is one Miller loop + blst's final_verify (one final exponentiation);
# aggregate_pk667_us on the peer includes a Python call per addition (~0.1-0.3 us each).
set -euo pipefail
rounds=${1:-3}
iterations=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-/tmp/walrus-sim-bls-venv}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --only-binary=:all: pyblst==0.3.15 || echo "pyblst wheel unavailable: no peer" >&2
fi
cd "$root"
bash Scripts/build-release.sh >/dev/null
bin=.build/release/walrus-sim
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((round = 1; round <= rounds; round++)); do
    "$venv/bin/python" Scripts/bls_peer.py "$iterations" | sed 's/^peer=[^ ]* /peer /' >>"$log"
    "$bin" bench bls --iterations "$iterations" | sed 's/^/ours /' >>"$log"
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: Scripts/bench_bls.sh $rounds $iterations  (median thread CPU time per operation, best of $rounds rounds)"
echo
echo "| operation | blst (pyblst) us | walrus-sim us | ratio of bests | median of per-round ratios |"
echo "|---|---|---|---|---|"
for key in sign_us verify_us verify_cert667_us aggregate_pk667_us pairing_us hash_to_g2_us; do
    awk -v k="$key" '
        { v = ""; for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v = kv[2] + 0 } }
        $1 == "peer" { p[++np] = v; if (peer == "" || v < peer) peer = v }
        $1 == "ours" { o[++no] = v; if (ours == "" || v < ours) ours = v }
        END {
            if (peer == "") { printf "| %s | n/a | %d | n/a | n/a |\n", k, ours; exit }
            # Rounds alternate peer and ours, so round r pairs p[r] with o[r].
            n = 0
            for (r = 1; r <= no && r <= np; r++) if (p[r] > 0) ratio[++n] = o[r] / p[r]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
            med = (n % 2) ? ratio[(n + 1) / 2] : (ratio[n / 2] + ratio[n / 2 + 1]) / 2
            printf "| %s | %d | %d | %.2fx | %.2fx |\n", k, peer, ours, ours / peer, med
        }' "$log"
done
