#!/usr/bin/env bash
# Reed-Solomon encode throughput: walrus-sim's fast engine against reed-solomon-simd (AVX2 engine,
# via the reed-solomon-leopard wheel and /work/shared/bench/rs_anchor.py), side by side in one run.
#
# Usage: Scripts/bench_rs.sh [ROUNDS]      (default 3 rounds)
# Env:   PEERS_DIR   venv built by /work/shared/bench/peers.sh (default /tmp/walrus-sim-peers)
#        ANCHOR      the peer script (default /work/shared/bench/rs_anchor.py)
#        SCRATCH     SwiftPM scratch path (default .build-rs)
#
# Each round runs the peer (best of its 5 encodes per shape) and then walrus-sim (best of 5 encodes
# per shape, `--iterations 5`, after 3 warm-up encodes), so both get the same number of samples
# under the same machine load; the table reports each side's best round and the ratio ours / peer.
# walrus-sim runs twice per shape: with its best kernel (GFNI on AVX-512 here) and pinned to
# AVX2, the instruction set of the peer's engine. Throughput is MiB of original data per second,
# as rs_anchor.py counts it.
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-/tmp/walrus-sim-peers}
anchor=${ANCHOR:-/work/shared/bench/rs_anchor.py}
scratch=${SCRATCH:-.build-rs}
if [ ! -x "$peers/venv/bin/python" ]; then bash "$(dirname "$anchor")/peers.sh" "$peers"; fi
cd "$root"
swift build -c release --scratch-path "$scratch" --product walrus-sim >/dev/null
bin="$scratch/release/walrus-sim"
shapes="334:666:1024 334:666:16384 667:333:1024 667:333:16384 4:6:65536 34:66:16384"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((round = 1; round <= rounds; round++)); do
    # Peer lines: "encode k=334 m=666 shard=1024B: 727 MiB/s of original data (0.45 ms)"
    "$peers/venv/bin/python" "$anchor" | sed -E 's/^encode k=([0-9]+) m=([0-9]+) shard=([0-9]+)B: ([0-9.]+) MiB.*/peer \1:\2:\3 \4/' >>"$log"
    for shape in $shapes; do
        IFS=: read -r k m b <<<"$shape"
        for kernel in best avx2; do
            "$bin" bench rs --original "$k" --recovery "$m" --shard-bytes "$b" --iterations 5 --kernel "$kernel" |
                sed -E 's/.*kernel=([a-z0-9]+).* mib_per_s=([0-9.]+).*/ours-'"$kernel"' '"$shape"' \2 \1/' >>"$log"
        done
    done
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "walrus-sim fast engine kernel: $("$bin" bench rs --original 1 --recovery 1 --shard-bytes 2 --iterations 1 | sed -E 's/.*kernel=([a-z0-9]+).*/\1/')"
echo
echo "| original:recovery | shard bytes | reed-solomon-simd (AVX2) MiB/s | walrus-sim best kernel MiB/s | ratio | walrus-sim AVX2 MiB/s | ratio |"
echo "|---|---|---|---|---|---|---|"
for shape in $shapes; do
    IFS=: read -r k m b <<<"$shape"
    awk -v s="$shape" -v k="$k" -v m="$m" -v b="$b" '
        $1 == "peer" && $2 == s && $3 > peer { peer = $3 }
        $1 == "ours-best" && $2 == s && $3 > best { best = $3; kernel = $4 }
        $1 == "ours-avx2" && $2 == s && $3 > avx2 { avx2 = $3 }
        END { printf "| %s:%s | %s | %.0f | %.0f (%s) | %.2fx | %.0f | %.2fx |\n",
                     k, m, b, peer, best, kernel, best / peer, avx2, avx2 / peer }' "$log"
done
