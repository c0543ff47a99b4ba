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

mvn -B -ntp verify "$@"

# The shipped jar holds no test fixture (the testing module is test scope only; see docs/architecture.md).
if [[ -f cli/target/dynamo.jar ]] && jar tf cli/target/dynamo.jar | grep -q '^ai/dynamo/deploy/testing/'; then
  echo "test.sh: cli/target/dynamo.jar contains test fixtures (ai/dynamo/deploy/testing)" >&2
  exit 1
fi
