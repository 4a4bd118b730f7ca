#!/bin/sh
# Creates or upgrades Temporal's two databases (temporal, temporal_visibility) on the compose
# PostgreSQL with temporal-sql-tool from temporalio/admin-tools. Safe to run on every
# `docker compose up`: `create` is skipped when the database exists, and update-schema
# applies only the versions a database does not have yet.
set -eu
SCHEMA=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" "$@"; }
  sql create 2>/dev/null || echo "database $db exists"
  sql setup-schema -v 0.0
  case $db in
    temporal) sql update-schema -d "$SCHEMA/temporal/versioned" ;;
    *) sql update-schema -d "$SCHEMA/visibility/versioned" ;;
  esac
done
echo 'Temporal schema is current'
