#!/bin/sh
# Creates Temporal's two PostgreSQL databases and applies every schema version (idempotent: create tolerates an
# existing database, update-schema only applies what is missing). Runs in temporalio/admin-tools.
set -eu
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$SQL_PASSWORD" "$@"; }
schema_root=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=$schema_root/$db/versioned
  [ "$db" = temporal_visibility ] && dir=$schema_root/visibility/versioned
  sql --db "$db" create || echo "database $db exists"
  # setup-schema -v 0.0 only creates the version table; safe to repeat with --overwrite=false semantics
  sql --db "$db" setup-schema -v 0.0 || echo "schema version table of $db exists"
  sql --db "$db" update-schema -d "$dir"
done
echo "Temporal schema is up to date"
