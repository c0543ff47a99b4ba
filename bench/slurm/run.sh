#!/usr/bin/env bash
# Issue 14, the Slurm half: readiness pushed by the jobs, measured on the real local Slurm cluster. Prints Markdown
# for BENCHMARKS.md ("Slurm"): the four steps of the issue's table and the overhead for a 2-component graph, the
# overhead of a 20-component graph with 4 two-node groups, overhead per component for 10 and 50 jobs, and, with
# HOLD_MINUTES, slurmctld's RPCs (sdiag) during a 20-component deploy and while it is held READY, on this instance
# after the rest. (bench/run.sh runs the hold on an instance of its own at the same time instead: bench/slurm/hold.sh.)
#
# Usage (as root: sdiag --reset needs it; a running cluster: scripts/local-slurm up):
#   DYNAMO_LOCAL_SLURM_DIR=/var/tmp/dynamo-local-slurm bench/slurm/run.sh [HOLD_MINUTES]   (default 0: no hold)
# Ports 19001 and up on the cluster's host (BENCH_FIRST_PORT=N for another range when others measure on the same
# host). Not a test: CI does not run it.
set -euo pipefail
hold="${1:-0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
classpath="$(activities/bench/classpath.sh)"
first_port="-Dbench.firstPort=${BENCH_FIRST_PORT:-19001}"

log="$(mktemp)"
echo "Commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores (shared with other users:" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start), $(java -version 2>&1 | head -1)"
echo
java "$first_port" -cp "$classpath" ai.dynamo.deploy.activities.slurm.ReadinessPushBenchmark steps 2>>"$log"
echo
java "$first_port" -cp "$classpath" ai.dynamo.deploy.activities.slurm.ReadinessPushBenchmark twenty 2>>"$log"
echo
echo "| jobs (one wave, 1 s start each) | READY after start | overhead | overhead per component |"
echo "|---:|---:|---:|---:|"
java "$first_port" -cp "$classpath" ai.dynamo.deploy.activities.slurm.ReadinessPushBenchmark scale 10 scale 50 2>>"$log"
if [ "$hold" -gt 0 ]; then
  java "$first_port" -cp "$classpath" ai.dynamo.deploy.activities.slurm.ReadinessPushBenchmark load "$hold" 2>>"$log"
fi
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). (JVM and SDK output: $log)"
