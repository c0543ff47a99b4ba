#!/usr/bin/env bash
# Prints the activities module's test class path for benchmark mains (activities/bench/run.sh, bench/slurm/run.sh):
# one reactor run, so sibling modules resolve to their target/ directories (nothing is installed). Not offline:
# a fresh machine has no copy of the dependency plugin's own dependencies until this first fetches them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cp_file="$(mktemp)"
mvn -B -q -pl activities -am test-compile dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" >/dev/null
classpath="activities/target/classes:activities/target/test-classes:$(cat "$cp_file")"
rm -f "$cp_file"
for m in ir render workflows activities-core testing client; do classpath="$m/target/classes:$classpath"; done
# Paths are relative to the repository root, where the callers run java.
echo "ir/target/test-classes:$classpath"
