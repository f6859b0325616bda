#!/usr/bin/env bash
# Runs a library sweep on a real, one-node Slurm cluster brought up on this machine, and checks
# that the merged results equal those of `walrus-sim sweep` run locally on the same file.
#
#   Scripts/cluster/slurm-selftest.sh [SCENARIO]      (default: Scenarios/failure/lossy-network.toml)
#
# Steps: install slurm-wlm and munge from Debian when missing (apt-get, as root); start munged,
# slurmctld and slurmd in the foreground as children of this script, with a fresh munge key, a
# generated slurm.conf, free TCP ports, and all state and logs under one temporary folder (so it
# does not collide with another cluster on the machine); submit the sweep as
# `sbatch --array=0-(N-1)` through Scripts/cluster/slurm.sbatch; wait for it; merge the per-task
# databases; compare `walrus-sim digest` of the merge with that of a local sweep. The cluster is
# torn down on every exit (success, failure, Ctrl-C, SIGTERM from `timeout`), and the daemons stay
# in this script's process group so `timeout` reaches them too.
#
# Needs root (the daemons run as root with proctrack/linuxproc and task/none) and a release
# build: WALRUS_SIM (default .build/release/walrus-sim). SELFTEST_TIMEOUT (seconds, default 600)
# bounds the wait for the job. KEEP=1 keeps the temporary folder for inspection.
# Exit status: 0 when the digests agree, 1 otherwise (with the logs' tails on stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
scenario=${1:-Scenarios/failure/lossy-network.toml}
bin=$(realpath "${WALRUS_SIM:-.build/release/walrus-sim}")
timeout_s=${SELFTEST_TIMEOUT:-600}
started=$(date +%s)
say() { echo "slurm-selftest: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (the one-node cluster runs its daemons as root)"
[ -x "$bin" ] || fail "no walrus-sim binary at $bin (Scripts/build-release.sh, or set WALRUS_SIM)"
[ -f "$scenario" ] || fail "no scenario file $scenario"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

tmp=$(mktemp -d /tmp/walrus-slurm-selftest.XXXXXX)
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # scancel first, so no task is left; then the daemons, youngest first.
  if [ -n "${jobid:-}" ] && [ -f "$tmp/slurm.conf" ]; then
    SLURM_CONF="$tmp/slurm.conf" timeout 10 scancel "$jobid" 2>/dev/null || true
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  unset SLURM_CONF  # so that the commands below do not match themselves
  # slurmstepd and the tasks leave our process group (setsid); they all carry our unique
  # SLURM_CONF in their environment, so find exactly those and no other process.
  for env in /proc/[0-9]*/environ; do
    if { tr '\0' '\n' <"$env"; } 2>/dev/null | grep -qxF "SLURM_CONF=$tmp/slurm.conf"; then
      p=${env#/proc/}; p=${p%/environ}
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  if [ "$status" -ne 0 ]; then
    for log in "$tmp"/log/*.log; do [ -f "$log" ] && { say "--- tail of $log"; tail -n 20 "$log" >&2; }; done
  fi
  if [ "${KEEP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
  say "cluster torn down ($(( $(date +%s) - started )) s in all)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp"/{munge,state,spool,log,out,local,cluster}
chmod 755 "$tmp/munge"  # munged wants its socket directory searchable by all

# A free TCP port: a random one in 20000-59999 that nothing listens on.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free TCP port found"
}

say "local sweep of $scenario (the reference)"
n=$("$bin" sweep "$scenario" --manifest | wc -l)
"$bin" sweep "$scenario" --out "$tmp/local" --jobs 2 >"$tmp/log/local-sweep.txt"
local_db=$(ls "$tmp"/local/*.sqlite | grep -v -- '-seed[0-9]*\.sqlite$')
"$bin" digest "$local_db" >"$tmp/local.digest"
say "local sweep: $n run(s), $(( $(date +%s) - started )) s"

# munge: a fresh key and a private socket.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged -F -f --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/socket" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" --log-file="$tmp/log/munged.log" \
  >"$tmp/log/munged.stdout" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/socket" ] && break; sleep 0.1; done
[ -S "$tmp/munge/socket" ] || fail "munged did not start"

host=$(hostname -s)
cpus=$(nproc)
ctld_port=$(free_port)
slurmd_port=$(free_port)
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))
cat >"$tmp/slurm.conf" <<CONF
ClusterName=walrus-selftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1024 State=UNKNOWN
PartitionName=selftest Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"

slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/log/slurmd.stdout" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  state=$(timeout 5 sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "${state:-}" = idle ] || fail "the node did not become idle (state: '${state:-none}')"
say "cluster up: $host, $cpus CPU(s), slurmctld port $ctld_port, slurmd port $slurmd_port ($(( $(date +%s) - started )) s)"

jobid=$(WALRUS_SIM="$bin" sbatch --parsable --array=0-$((n - 1)) --mem=512M --time=30 \
  --output="$tmp/out/%A_%a.out" --chdir="$repo" Scripts/cluster/slurm.sbatch "$scenario" "$tmp/cluster")
jobid=${jobid%%;*}
say "submitted job array $jobid (0-$((n - 1)))"
deadline=$(( $(date +%s) + timeout_s ))
while [ -n "$(squeue -h -j "$jobid" -o %i 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "job $jobid still running after ${timeout_s} s"
  sleep 1
done
failed=$(scontrol show job -o "$jobid" 2>/dev/null | grep -v 'JobState=COMPLETED' | grep -o 'JobId=[0-9]* ArrayJobId=[0-9]* ArrayTaskId=[0-9]*' || true)
[ -z "$failed" ] || { cat "$tmp"/out/*.out >&2; fail "tasks did not complete: $failed"; }
say "job array done ($(( $(date +%s) - started )) s)"

"$bin" merge "$tmp/cluster/all.sqlite" "$tmp"/cluster/*-seed*.sqlite >"$tmp/log/merge.txt"
"$bin" digest "$tmp/cluster/all.sqlite" >"$tmp/cluster.digest"
runs=$(wc -l <"$tmp/cluster.digest")
[ "$runs" -eq "$n" ] || fail "merged database holds $runs run(s), the manifest has $n"
if ! diff "$tmp/local.digest" "$tmp/cluster.digest" >&2; then
  fail "the Slurm sweep's content digests differ from the local sweep's"
fi
say "OK: $n run(s) through sbatch --array, merged digests equal the local sweep's ($(( $(date +%s) - started )) s)"
