#!/usr/bin/env bash
# The lever "COPY-style log writes" (issue 23), measured on PostgreSQL alone: the backend's CPU
# per activity-log row for 100-row statements written three ways, interleaved three times
# (500 statements each): the multi-row INSERT … ON CONFLICT DO NOTHING RETURNING Herald uses
# (a retried activity logs nothing twice, and the keys written decide which events follow),
# COPY into a staging table then the same INSERT … SELECT, and a bare COPY (no conflict
# handling, no keys back: the upper bound of the lever). The table is delivery_log's shape.
#   bash bench/log-copy/run.sh        (needs psql and the machine's PostgreSQL at 127.0.0.1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -h 127.0.0.1 -U postgres -qc "drop database if exists herald_log_copy" postgres' EXIT
python3 "$here/gen.py" 100 "$work/ticks.txt" > "$work/run.sql"
psql -h 127.0.0.1 -U postgres -qc "drop database if exists herald_log_copy" -c "create database herald_log_copy" postgres
psql -h 127.0.0.1 -U postgres -q -f "$here/schema.sql" -f "$work/run.sql" herald_log_copy > /dev/null
python3 - "$work/ticks.txt" <<'PY'
import collections, os, sys
ticks = os.sysconf('SC_CLK_TCK')
total, start = collections.defaultdict(int), {}
for kind, way, t in (line.split() for line in open(sys.argv[1])):
    if kind == 'start': start[way] = int(t)
    else: total[way] += int(t) - start[way]
rows = 3 * 500 * 100
for way, t in total.items():
    print(f"{way}: {t / ticks * 1e6 / rows:.2f} µs of PostgreSQL CPU per row ({rows} rows)")
PY
