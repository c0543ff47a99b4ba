#!/bin/sh
# Waits for the Temporal server, creates the namespace and registers dynamo's search attributes (idempotent).
# Runs in temporalio/admin-tools, which has the temporal CLI.
set -eu
ns=${TEMPORAL_NAMESPACE:-default}
tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "Temporal at $TEMPORAL_ADDRESS did not become healthy"; exit 1; }
  sleep 2
done
temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$ns"
existing=$(temporal operator search-attribute list --namespace "$ns")
for attr in DynamoGraph:Keyword DynamoTarget:Keyword DynamoPhase:Keyword DynamoRevision:Int; do
  name=${attr%%:*}
  type=${attr#*:}
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
  fi
done
echo "namespace $ns ready with dynamo search attributes"
