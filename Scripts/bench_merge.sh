#!/usr/bin/env bash
# Merge at scale: N run databases (default 1000) merged into one with `walrus-sim merge`.
#   Scripts/bench_merge.sh [N] [BASE_DB]
# BASE_DB (default: a fresh run of Scenarios/failure/lossy-network.toml, entry 0: 40 nodes, 150
# blobs, 450 ops, about 4,600 rows and 0.4 MB) is copied N times with distinct run ids (every
# table's run_id rewritten), then merged with /usr/bin/time -v, REPEATS times (default 3) into a
# fresh destination each time; prints each wall time and checks the merged run count.
# WORK (default a temporary folder, removed afterwards) holds the copies (N x the base size).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bin=${WALRUS_SIM:-.build/release/walrus-sim}
repeats=${REPEATS:-3}
work=${WORK:-$(mktemp -d /tmp/walrus-bench-merge.XXXXXX)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/runs"
base=${2:-$work/base.sqlite}
if [ ! -f "$base" ]; then
  "$bin" run Scenarios/failure/lossy-network.toml --index 0 --quiet --out "$base" >/dev/null
fi
python3 - "$base" "$work/runs" "$n" <<'PY'
import shutil, sqlite3, sys
base, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
tables = ["runs", "nodes", "epochs", "committee", "blobs", "ops", "flows", "metrics", "faults"]
for i in range(n):
    path = f"{out}/bench-{i:05d}.sqlite"
    shutil.copyfile(base, path)
    db = sqlite3.connect(path)
    for t in tables:
        db.execute(f"UPDATE {t} SET run_id = ?", (f"bench-{i:05d}",))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
PY
echo "$n databases of $(du -k "$base" | cut -f1) KB each ($(du -sh "$work/runs" | cut -f1) in all) in $work/runs"
for r in $(seq "$repeats"); do
  rm -f "$work"/all.sqlite*
  /usr/bin/time -f "merge $n: wall %e s, user %U s, sys %S s, max RSS %M KB" \
    "$bin" merge "$work/all.sqlite" "$work"/runs/*.sqlite >/dev/null
done
python3 -c "import sqlite3,sys; print('merged runs:', sqlite3.connect(sys.argv[1]).execute('select count(*) from runs').fetchone()[0])" "$work/all.sqlite"
