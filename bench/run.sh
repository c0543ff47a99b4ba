#!/usr/bin/env bash
# Issue 14's measurements, each printed beside its goal, as Markdown for BENCHMARKS.md: the CLI's start-up (against
# `kubectl version --client` in the same run), `deploy status` against a running `dynamo server`, the Kubernetes
# target on fabric8's mock API server, then the Slurm figures (bench/slurm/run.sh, and step 1 through the CLI from
# the command's start: bench/slurm/cli-steps.sh) and the identical re-run of issue 10 (activities/bench/run.sh) when
# those harnesses exist. Not a test and not run by CI.
#
# The slurm part also holds a 20-component deploy READY for BENCH_HOLD_MINUTES (the issue's 10) on a second local
# Slurm instance of its own (bench/slurm/hold.sh), counting slurmctld's RPCs: it starts first and holds while the
# other parts run, so the whole run takes about the hold plus its deploy, not the hold plus everything else.
#
# Usage: bench/run.sh [cli|k8s|slurm|rerun ...]   (default: all)
#   DYNAMO_LOCAL_SLURM_DIR  the local Slurm cluster for the Slurm parts (scripts/local-slurm up)
#   BENCH_ROUNDS            rounds of each CLI timing (default 15)
#   BENCH_HOLD_MINUTES      minutes the 20-component deploy is held READY (default 10; 0: no hold)
# Builds offline (mvn -o), except the class path step (activities/bench/classpath.sh), which fetches the dependency
# plugin's own dependencies the first time: download the rest once first (./test.sh or mvn verify).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(cli k8s slurm rerun)
rounds="${BENCH_ROUNDS:-15}"
demo=examples/demo-graph.yaml
logs="$(mktemp -d)"

wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
load() { cut -d' ' -f1 /proc/loadavg; }

# Wall time of one run of a command in milliseconds, then its CPU time (user + system, children included) when
# /usr/bin/time is there ("-" otherwise): on a machine shared with other builds, CPU time moves less with their load
# than wall time does. Output discarded; a failure is reported, not timed.
timed() {
  local start end cpu="-"
  start=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    if ! /usr/bin/time -f '%U %S' -o "$logs/cpu" "$@" >/dev/null 2>>"$logs/failures"; then echo "bench: failed: $*" >>"$logs/failures"; fi
    end=$(date +%s%N)
    cpu=$(awk 'END {printf "%d", ($1 + $2) * 1000}' "$logs/cpu")
  else
    if ! "$@" >/dev/null 2>>"$logs/failures"; then echo "bench: failed: $*" >>"$logs/failures"; fi
    end=$(date +%s%N)
  fi
  echo "$(( (end - start) / 1000000 )) $cpu"
}

# median min max of the numbers on stdin (the first column)
stats() { cut -d' ' -f1 | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2); print m, v[1], v[NR]}'; }
# median of the second column (CPU ms), or "-"
cpu_median() { cut -d' ' -f2 | grep -v -- - | sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else print (NR % 2 ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2))}'; }

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "## Run of $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'),"\
  "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem:/{print $2}') GiB,"\
  "$(java -version 2>&1 | head -1), load average $(load) at the start. The machine is shared with other engineers'"\
  "builds and tests: figures move with their load."

# The hold first: its deploy must be READY before the timed parts start (its 20 job starts would disturb them); the
# held jobs only idle and check their ports meanwhile.
hold_minutes="${BENCH_HOLD_MINUTES:-10}"
hold_pid=""
if wants slurm && [ "$hold_minutes" -gt 0 ]; then
  bench/slurm/hold.sh "$hold_minutes" >"$logs/hold.md" 2>"$logs/hold.err" &
  hold_pid=$!
  for _ in $(seq 360); do
    grep -q '^held READY from' "$logs/hold.md" && break
    kill -0 "$hold_pid" 2>/dev/null || break
    sleep 0.5
  done
fi

if wants cli; then
  ./dynamo --version >/dev/null # builds the jar and its class-data archives when sources changed
  echo
  echo "### CLI start (wall time of a whole command, $rounds rounds interleaved; ms)"
  echo
  echo "| command | median | min | max | median vs kubectl | CPU median | goal |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  : >"$logs/kubectl"; : >"$logs/help"; : >"$logs/validate"; : >"$logs/help-plain"; : >"$logs/validate-plain"
  for _ in $(seq "$rounds"); do
    timed kubectl version --client >>"$logs/kubectl"
    timed ./dynamo --help >>"$logs/help"
    timed ./dynamo validate -f "$demo" >>"$logs/validate"
    timed java -jar cli/target/dynamo.jar --help >>"$logs/help-plain"
    timed java -jar cli/target/dynamo.jar validate -f "$demo" >>"$logs/validate-plain"
  done
  read -r k_med k_min k_max < <(stats <"$logs/kubectl")
  row() {
    local name="$1" file="$2" goal="$3" med min max
    read -r med min max < <(stats <"$file")
    printf '| %s | %d | %d | %d | %.1fx | %s | %s |\n' "$name" "$med" "$min" "$max" "$(echo "$med / $k_med" | bc -l)" \
      "$(cpu_median <"$file")" "$goal"
  }
  echo "| \`kubectl version --client\` | $k_med | $k_min | $k_max | 1.0x | $(cpu_median <"$logs/kubectl") | |"
  row "\`./dynamo --help\`" "$logs/help" "<= 3x kubectl"
  row "\`./dynamo validate -f $demo\`" "$logs/validate" "<= 3x kubectl"
  row "\`java -jar dynamo.jar --help\` (no archive, default JIT and GC)" "$logs/help-plain" "(for comparison)"
  row "\`java -jar dynamo.jar validate\` (no archive, default JIT and GC)" "$logs/validate-plain" "(for comparison)"

  # deploy status against a running local service: a deploy that ended (no Kubernetes configuration here).
  port="$(free_port)"
  setsid ./dynamo server --port "$port" >"$logs/server.log" 2>&1 &
  server=$!
  for _ in $(seq 240); do grep -q 'Temporal development service on' "$logs/server.log" && break; sleep 0.5; done
  KUBECONFIG=/nonexistent HOME="$logs" ./dynamo deploy --target k8s -f "$demo" --address "127.0.0.1:$port" \
    >>"$logs/server.log" 2>&1 || true
  # The set-up's own calls run in-process (DYNAMO_DAEMON=off) so that the first timed call finds no daemon.
  for _ in $(seq 60); do
    DYNAMO_DAEMON=off ./dynamo deploy list --address "127.0.0.1:$port" 2>/dev/null | grep -q 'FAILED' && break; sleep 0.5
  done
  ./dynamo daemon stop >/dev/null 2>&1 || true
  : >"$logs/status"; : >"$logs/kubectl2"; : >"$logs/status-cold"; : >"$logs/status-off"; : >"$logs/cancel"
  : >"$logs/cancel-off"
  # A decision verb through the daemon: cancel of the deploy above, which ended, answers "not running" with exit 2
  # (a wrapper makes that the success it is here, its expected message aside; it adds one bash start to both rows).
  printf '#!/usr/bin/env bash\n"$@" 2>/dev/null; [ $? -eq 2 ]\n' >"$logs/exit2" && chmod +x "$logs/exit2"
  # The first call: no daemon yet, so it runs in its own JVM and then starts the daemon in the background.
  timed ./dynamo deploy status demo --target k8s --address "127.0.0.1:$port" >>"$logs/status-cold"
  for _ in $(seq 120); do ./dynamo daemon status >/dev/null 2>&1 && break; sleep 0.5; done
  for _ in $(seq "$rounds"); do
    timed kubectl version --client >>"$logs/kubectl2"
    timed ./dynamo deploy status demo --target k8s --address "127.0.0.1:$port" >>"$logs/status"
    timed env DYNAMO_DAEMON=off ./dynamo deploy status demo --target k8s --address "127.0.0.1:$port" >>"$logs/status-off"
    timed "$logs/exit2" ./dynamo deploy cancel demo --target k8s --address "127.0.0.1:$port" >>"$logs/cancel"
    timed env DYNAMO_DAEMON=off "$logs/exit2" ./dynamo deploy cancel demo --target k8s --address "127.0.0.1:$port" \
      >>"$logs/cancel-off"
  done
  ./dynamo daemon stop >/dev/null 2>&1 || true
  kill -- -"$server" 2>/dev/null || kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  read -r med min max < <(stats <"$logs/status")
  echo "| \`./dynamo deploy status demo --target k8s\` against \`dynamo server\`, daemon warm | $med | $min | $max | | $(cpu_median <"$logs/status") | <= 600 ms |"
  read -r cold _ < "$logs/status-cold"
  echo "| the same, first call (no daemon: runs in its own JVM, then starts the daemon) | $cold | | | | $(cpu_median <"$logs/status-cold") | (once per idle period) |"
  read -r med min max < <(stats <"$logs/status-off")
  echo "| the same with \`DYNAMO_DAEMON=off\` (every call in its own JVM) | $med | $min | $max | | $(cpu_median <"$logs/status-off") | (for comparison) |"
  read -r med min max < <(stats <"$logs/cancel")
  echo "| \`./dynamo deploy cancel demo --target k8s\` (ended: \"not running\", exit 2), daemon warm | $med | $min | $max | | $(cpu_median <"$logs/cancel") | |"
  read -r med min max < <(stats <"$logs/cancel-off")
  echo "| the same with \`DYNAMO_DAEMON=off\` | $med | $min | $max | | $(cpu_median <"$logs/cancel-off") | (for comparison) |"
  echo
  echo "Load average after the CLI part: $(load)."
fi

if wants k8s; then
  echo
  echo "### Kubernetes (fabric8 mock API server + simulated controller; ms)"
  echo
  cp="$(activities/bench/classpath.sh)"  # the one class-path script, shared with activities/bench and bench/slurm
  echo "| measurement | median | min | max | goal |"
  echo "|---|---:|---:|---:|---|"
  java -cp "$cp" ai.dynamo.deploy.activities.k8s.K8sDeployMockBenchmark 10 2>"$logs/k8s.log" \
    || echo "| (the Kubernetes benchmark failed; its log: $logs/k8s.log) | | | | |"
  echo
  echo "Load average after the Kubernetes part: $(load)."
fi

if wants slurm; then
  echo
  echo "### Slurm"
  echo
  if [ -x bench/slurm/run.sh ]; then bench/slurm/run.sh; else echo "bench/slurm/run.sh: not present."; fi
  if [ -x bench/slurm/cli-steps.sh ]; then
    echo
    echo "#### Step 1 through the CLI, from the command's start (as the issue timed it)"
    echo
    bench/slurm/cli-steps.sh || echo "(bench/slurm/cli-steps.sh failed)"
  fi
  if [ -n "$hold_pid" ]; then
    wait "$hold_pid" || echo "(bench/slurm/hold.sh failed: $logs/hold.err)"
    echo
    echo "#### slurmctld's load: a 20-component deploy held READY for $hold_minutes min (its own Slurm instance)"
    echo
    grep -v '^held READY from' "$logs/hold.md" || true
  fi
fi

if wants rerun; then
  echo
  echo "### Identical re-run (issue 10)"
  echo
  if [ -x activities/bench/run.sh ]; then activities/bench/run.sh; else echo "activities/bench/run.sh: not present."; fi
fi

if [ -s "$logs/failures" ]; then
  echo
  echo "Failures during the run (their times are in the figures above):"
  sed 's/^/    /' "$logs/failures"
fi
echo
echo "(logs of this run: $logs)"
