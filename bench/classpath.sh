# Sourced by the benchmark scripts: test_classpath MODULE prints the class path of MODULE's test classes, built
# offline by one reactor run (the sibling modules resolve to their target/ directories; nothing is installed).
test_classpath() {
  local module="$1" cp_file
  cp_file="$(mktemp)"
  if ! mvn -o -B -q -pl "$module" -am test-compile dependency:build-classpath -DskipTests -Dmdep.includeScope=test \
      -Dmdep.outputFile="$cp_file" >"$cp_file.log" 2>&1; then
    cat "$cp_file.log" >&2
    echo "bench: building $module's test classes failed" >&2
    return 1
  fi
  rm -f "$cp_file.log"
  local cp="$module/target/classes:$module/target/test-classes:$(cat "$cp_file")"
  rm -f "$cp_file"
  local m
  for m in ir render workflows activities-core testing client activities worker; do
    [ -d "$m/target/classes" ] && cp="$m/target/classes:$cp"
  done
  printf '%s\n' "ir/target/test-classes:$cp"
}
