#!/usr/bin/env bash
# Issue 14, slurmctld's load: a 20-component deploy (4 two-node groups) on its OWN local Slurm instance, then held
# READY for MINUTES while slurmctld's RPCs are counted (sdiag --reset / sdiag, by type and user). Its own instance
# keeps the count clean, so bench/run.sh can run the other measurements on the default instance meanwhile.
# Prints Markdown; the line "held READY from <instant>" tells a caller the deploy is READY and the hold began.
#
# Usage (as root: sdiag --reset and local-slurm need it):  bench/slurm/hold.sh [MINUTES]   (default 10, the issue's)
#   DYNAMO_BENCH_HOLD_SLURM_DIR  the instance's state directory (default /var/tmp/dynamo-bench-hold; ports 2232-2234,
#                                slurmctld 16837, nodes 17301-17303, job user dynhold). Brought up here, taken down
#                                at the end unless it was up before.
# Ports 19501 and up on the host for the graph's services. Not a test: CI does not run it.
set -euo pipefail
minutes="${1:-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export DYNAMO_LOCAL_SLURM_DIR="${DYNAMO_BENCH_HOLD_SLURM_DIR:-/var/tmp/dynamo-bench-hold}"
export DYNAMO_LOCAL_SLURM_SSH_PORT=2232 DYNAMO_LOCAL_SLURM_CTLD_PORT=16837 DYNAMO_LOCAL_SLURM_NODE_PORT=17301 \
  DYNAMO_LOCAL_SLURM_USER=dynhold
classpath="$(activities/bench/classpath.sh)"
log="$(mktemp)"

was_up=0
scripts/local-slurm status 2>/dev/null | grep -q 'slurmctld: running' && was_up=1
scripts/local-slurm up >>"$log" 2>&1 || { echo "bench/slurm/hold.sh: the hold's Slurm instance did not start (log: $log)"; exit 1; }
down() { [ "$was_up" = 1 ] || scripts/local-slurm down >>"$log" 2>&1 || true; }
trap down EXIT

echo "Own Slurm instance ($DYNAMO_LOCAL_SLURM_DIR, slurmctld port 16837), commit $(git rev-parse --short HEAD)," \
  "$(date -u '+%Y-%m-%d %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
java -Dbench.firstPort=19501 -cp "$classpath" ai.dynamo.deploy.activities.slurm.ReadinessPushBenchmark load "$minutes" 2>>"$log"
echo
echo "Load average at the end of the hold: $(cut -d' ' -f1-3 /proc/loadavg). (JVM, SDK and instance output: $log)"
