#!/usr/bin/env bash
# Issue 14's step 1 as the issue timed it: from the start of the command `./dynamo deploy --wait` to the leader's
# process running, on the issue's 2-component graph and the real local Slurm cluster. ReadinessPushBenchmark starts
# its clock at the workflow's start request, in a JVM whose client is loaded; this adds the command's own start.
# Rows: against a `dynamo server` started here (its first deploy, then warm ones), and with no service at the address
# (the command runs an embedded service and worker for itself, README's zero-setup path). The CLI's daemon is stopped
# first: the first deploy runs in its own JVM and starts the daemon, which runs the next ones. Prints Markdown.
#
# Usage (a running cluster: scripts/local-slurm up):
#   DYNAMO_LOCAL_SLURM_DIR=/var/tmp/dynamo-local-slurm bench/slurm/cli-steps.sh [WARM_RUNS]   (default 2)
# Ports: the server on BENCH_CLI_PORT (default 7399), the graph's services from BENCH_FIRST_PORT (default 19601).
# The jobs' files are read, and the jobs cancelled, over SSH as the deploy's user. Not a test: CI does not run it.
set -euo pipefail
warm_runs="${1:-2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
env_file="${DYNAMO_LOCAL_SLURM_DIR:?set DYNAMO_LOCAL_SLURM_DIR (scripts/local-slurm up)}/env"
setting() { sed -n "s/^$1=//p" "$env_file"; }
user="$(setting DYNAMO_SLURM_SSH_USER)" host="$(setting DYNAMO_SLURM_SSH_HOST)" port="$(setting DYNAMO_SLURM_SSH_PORT)"
key="$(setting DYNAMO_SLURM_SSH_KEY)" known="$(setting DYNAMO_SLURM_KNOWN_HOSTS)"
home="$(setting DYNAMO_SLURM_USER_HOME)"
server_port="${BENCH_CLI_PORT:-7399}"
next_port="${BENCH_FIRST_PORT:-19601}"
work="$(mktemp -d)"
remote_dir="$home/bench-cli-steps"
on_login() { ssh -q -i "$key" -o UserKnownHostsFile="$known" -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$port" \
  "$user@$host" "$@"; }

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

./dynamo --version >/dev/null # builds the jar when sources changed, outside any timing
# A user's first command of the day meets no daemon: the first deploy runs in its own JVM and starts one.
./dynamo daemon stop >/dev/null 2>&1 || true

# One deploy of the issue's graph (a 2-node group whose leader opens after 6 s, a front end after 1 s); prints a row.
deploy_once() {
  local label="$1" address="$2" name g t0 t1 d
  name="clisteps-$(date +%H%M%S)-$RANDOM"
  g="$work/$name.yaml"
  cat >"$g" <<EOF
version: 1
name: $name
components:
  - name: group
    cmd: [python3, $home/dynamo-standin/dynamo-standin.py]
    run_config: {input: "dyn://b.group.generate", output: echo, num_nodes: 2, leader_addr: "127.0.0.1:$next_port", startup_delay: 6}
    resources: {cpu: 1, memory: 128Mi}
  - name: frontend
    cmd: [python3, $home/dynamo-standin/dynamo-standin.py]
    run_config: {input: http, output: echo}
    parameters: {port: $((next_port + 1)), startup_delay: 1}
    resources: {cpu: 1, memory: 128Mi}
    readiness: {tcp: {port: $((next_port + 1))}}
EOF
  next_port=$((next_port + 2))
  # Whether the CLI's daemon serves this build now (then the command runs there, docs/cli.md "The daemon").
  if ./dynamo daemon status >/dev/null 2>&1; then label="$label; daemon running"; else label="$label; no daemon"; fi
  t0=$(date +%s.%N)
  local where=(--address "$address")
  [ -z "$address" ] && where=()
  if ! env -u TEMPORAL_ADDRESS ./dynamo deploy --wait --target slurm -f "$g" "${where[@]}" --ssh-host "$user@$host:$port" \
      --ssh-key "$key" --known-hosts "$known" --ssh-config /dev/null --partition debug --time 00:30:00 \
      --remote-dir "$remote_dir" >"$work/$name.out" 2>&1; then
    echo "| $label | failed: $work/$name.out | | | |"
    return
  fi
  t1=$(date +%s.%N)
  d="$remote_dir/$name/rev-1/group-0"
  # The job-id file is written as sbatch returns (its mtime: when Slurm had the job); the status file's first
  # "started" line is the leader's process running (the local cluster is one host: one clock).
  on_login "stat -c %.3Y $d/job-id; grep -m1 ' started ' $d/status | cut -d' ' -f1" >"$work/$name.times"
  python3 - "$t0" "$t1" "$label" "$work/$name.times" <<'EOF'
import datetime, sys
t0, t1, label = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
submitted, started = open(sys.argv[4]).read().split()
started = datetime.datetime.strptime(started, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
submitted = float(submitted)
step, slurm = started - t0, started - submitted
print("| %s | %.2f s | %.2f s | %.2f s | %.2f s | %s |" % (label, step, slurm, step - slurm, t1 - t0,
      "met" if step - slurm <= 0.5 else "NOT met"))
EOF
  on_login "for f in $remote_dir/$name/rev-1/*/job-id; do scancel \$(cat \$f); done" || true
}

echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')," \
  "$(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
echo
echo "| \`./dynamo deploy --wait\`, issue 14's graph | command start -> leader process running | of which Slurm (sbatch returned -> process running) | the rest: CLI and deployer (goal 0.5 s) | command start -> READY printed | |"
echo "|---|---:|---:|---:|---:|---|"
./dynamo server --port "$server_port" >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 120); do grep -q 'Temporal development service on' "$work/server.out" && break; sleep 0.5; done
grep -q 'Temporal development service on' "$work/server.out" || { echo "dynamo server did not start: $work/server.out"; exit 1; }
warm_up="$(sed -n 's/.*warmed up in \([0-9.]* s\).*/\1/p' "$work/server.out")"
deploy_once "against \`dynamo server\` (warmed up in ${warm_up:-?}): its first deploy" "127.0.0.1:$server_port"
# The first command started the daemon in the background; a user's next command usually comes after its warm-up.
for _ in $(seq 40); do ./dynamo daemon status >/dev/null 2>&1 && break; sleep 0.5; done
for i in $(seq "$warm_runs"); do deploy_once "against \`dynamo server\`: deploy $((i + 1))" "127.0.0.1:$server_port"; done
stop_server
# The embedded fallback is for the default address only (no --address, no TEMPORAL_ADDRESS): nothing may answer there.
if (exec 3<>/dev/tcp/127.0.0.1/7233) 2>/dev/null; then
  echo "| no service at the default address | skipped: something listens on 127.0.0.1:7233 | | | | |"
else
  deploy_once "no service at the default address: an embedded service and worker for this command" ""
fi
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). (Command output: $work)"
