#!/usr/bin/env bash
# Benchmark: how fast the graph loader refuses hostile files (and accepts the largest legal one), plus the
# end-to-end time of `dynamo validate` on a few of them (JVM start included). Results go in BENCHMARKS.md.
# Usage: ir/bench/run.sh            (from anywhere; builds the ir test classes offline first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mvn -o -B -q -pl ir test-compile
cp_file="$(mktemp)"
mvn -B -q -pl ir dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="ir/target/classes:ir/target/test-classes:$(cat "$cp_file")"
rm -f "$cp_file"

echo "## In-process load times (GraphLoader.load, $(nproc) cores, $(java -version 2>&1 | head -1))"
(cd ir && java -cp "${classpath//ir\/target/target}" ai.dynamo.deploy.ir.bench.HostileFilesBenchmark)

if [ -f cli/target/dynamo.jar ]; then
  echo
  echo "## End to end: java -jar cli/target/dynamo.jar validate -f FILE (wall time, JVM start included)"
  echo "| file | exit | wall (s) |"
  echo "|---|---:|---:|"
  for f in examples/reference-graph.yaml ir/src/test/resources/bad/alias-bomb.yaml ir/src/test/resources/bad/deep-nesting.yaml \
           ir/src/test/resources/bad/not-utf8.yaml ir/src/test/resources/bad/empty.yaml ir/src/test/resources/bad/a-directory.yaml /dev/zero; do
    start=$(date +%s.%N)
    set +e; java -jar cli/target/dynamo.jar validate -f "$f" >/dev/null 2>&1; code=$?; set -e
    end=$(date +%s.%N)
    printf '| %s | %d | %.2f |\n' "$f" "$code" "$(echo "$end - $start" | bc)"
  done
fi
