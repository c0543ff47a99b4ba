#!/usr/bin/env bash
# Runs every test. On a fresh Debian machine (root) it installs and starts what the tests need first, so this
# one command is all a newcomer or CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# A real local Slurm cluster (slurmctld, node1..node3, sshds on 127.0.0.1:2222-2223 and 127.0.0.2:2224) for the
# Slurm tests; see docs/local-slurm.md. With DYNAMO_REQUIRE_SLURM=1 a Slurm test fails (never skips) when the
# cluster is missing. `DYNAMO_REQUIRE_SLURM=0 ./test.sh` skips the cluster and the tests that need it.
export DYNAMO_LOCAL_SLURM_DIR="${DYNAMO_LOCAL_SLURM_DIR:-/var/tmp/dynamo-local-slurm}"
export DYNAMO_REQUIRE_SLURM="${DYNAMO_REQUIRE_SLURM:-1}"
if [[ "$DYNAMO_REQUIRE_SLURM" == 1 ]]; then
  scripts/local-slurm up
fi

# ShellCheck: our own shell scripts here, and every rendered sbatch script in the render module's tests
# (SbatchScriptShellcheckTest, which fails rather than skips with DYNAMO_REQUIRE_SHELLCHECK=1).
# `DYNAMO_REQUIRE_SHELLCHECK=0 ./test.sh` goes on without it.
export DYNAMO_REQUIRE_SHELLCHECK="${DYNAMO_REQUIRE_SHELLCHECK:-1}"
if [[ "$DYNAMO_REQUIRE_SHELLCHECK" == 1 ]]; then
  if ! command -v shellcheck >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing shellcheck (apt-get)"
    apt-get install -y -qq --no-install-recommends shellcheck >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends shellcheck >/dev/null; }
  fi
  command -v shellcheck >/dev/null ||
    { echo "test.sh: shellcheck is missing (apt-get install shellcheck, or DYNAMO_REQUIRE_SHELLCHECK=0)" >&2; exit 1; }
  scripts=()
  while IFS= read -r f; do
    [[ "$f" == *.sbatch ]] && continue # rendered output: linted as rendered, by the test above
    IFS= read -r first <"$f" || true
    [[ "$first" =~ ^\#!.*(bash|/sh) ]] && scripts+=("$f")
  done < <(git ls-files)
  echo "test.sh: shellcheck ${#scripts[@]} scripts"
  shellcheck "${scripts[@]}"
fi

mvn -B -ntp verify "$@"

# The shipped jar holds no test fixture (the testing module is test scope only; see docs/architecture.md).
if [[ -f cli/target/dynamo.jar ]] && jar tf cli/target/dynamo.jar | grep -q '^ai/dynamo/deploy/testing/'; then
  echo "test.sh: cli/target/dynamo.jar contains test fixtures (ai/dynamo/deploy/testing)" >&2
  exit 1
fi
