#!/usr/bin/env bash
# PHOLD side by side with the peers of ../shared/bench (ns-3 core scheduler, a bare C++ heap,
# and optionally SimPy), in one run, on the same machine. Prints each program's events/s and
# walrus-sim's ratios against them. Usage:
#   Scripts/bench_phold.sh [REPEATS]         (default 3; median of the repeats is reported)
# Environment: PEERS_DIR (default /tmp/walrus-sim-peers), EVENTS (default 10000000), SIMPY=1.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
peers=${PEERS_DIR:-/tmp/walrus-sim-peers}
events=${EVENTS:-10000000}
shared=../shared/bench
[ -x "$peers/phold_ns3" ] && [ -x "$peers/phold_limit" ] || bash "$shared/peers.sh" "$peers" >&2
bash Scripts/build-release.sh >&2
bin=.build/release/walrus-sim

rate() { grep -o 'events_per_s=[0-9]*' | cut -d= -f2; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-14s %14s %14s %14s %10s %10s\n' shape walrus-sim ns-3 bare-heap vs-ns3 vs-heap
for lps in 1000 10000; do
  ours=(); ns3=(); lim=()
  for _ in $(seq "$repeats"); do
    # Interleave the programs so that machine noise hits all of them alike.
    ours+=("$($bin bench phold --lps $lps --population 8 --events $events --seed 1 | rate)")
    ns3+=("$("$peers/phold_ns3" $lps 8 $events 1 | rate)")
    lim+=("$("$peers/phold_limit" $lps 8 $events 1 | rate)")
  done
  o=$(printf '%s\n' "${ours[@]}" | median); n=$(printf '%s\n' "${ns3[@]}" | median); l=$(printf '%s\n' "${lim[@]}" | median)
  printf '%-14s %14s %14s %14s %10.2f %10.2f\n' "${lps}x8" "$o" "$n" "$l" "$(awk "BEGIN{print $o/$n}")" "$(awk "BEGIN{print $o/$l}")"
done
if [ "${SIMPY:-0}" = 1 ]; then
  s=$("$peers/venv/bin/python" "$shared/phold_simpy.py" 1000 8 1000000 1 | rate)
  o=$($bin bench phold --lps 1000 --population 8 --events 1000000 --seed 1 | rate)
  printf '%-14s %14s %14s %14s %10s %10.1f (vs SimPy)\n' "1000x8 (1M)" "$o" "-" "-" "-" "$(awk "BEGIN{print $o/$s}")"
fi
