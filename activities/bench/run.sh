#!/usr/bin/env bash
# Benchmark: the identical re-run of a deploy (issue 10: "nothing changed -> nothing happens, in seconds"), start to
# READY "unchanged", on the real local Slurm cluster and on the Kubernetes mock. Results go in BENCHMARKS.md.
# Usage: DYNAMO_LOCAL_SLURM_DIR=/var/tmp/dynamo-local-slurm activities/bench/run.sh   (a running local cluster:
# scripts/local-slurm up; builds the test classes offline first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
classpath="$(activities/bench/classpath.sh)"

log="$(mktemp)"
echo "Commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo
echo "| target | first deploy (ms) | identical re-runs | min (ms) | median (ms) | max (ms) |"
echo "|---|---:|---:|---:|---:|---:|"
java -cp "$classpath" ai.dynamo.deploy.activities.k8s.IdenticalRerunMockBenchmark 2>"$log"
java -cp "$classpath" ai.dynamo.deploy.activities.slurm.IdenticalRerunBenchmark 2>"$log"
echo; echo "(JVM and SDK output: $log)"
