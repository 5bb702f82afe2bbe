#!/usr/bin/env bash
# A station's file size and import time at one size, with what each table and index takes (SQLite's dbstat
# table), to see the storage layout's cost: generates the bench ledger (bench/make_ledger, fixed seed and end
# date, so two builds get the same rows), imports it into a fresh station (timed, one run), works the cases
# through (bench/make_station), and prints the sizes after the import and after the work.
#
# Usage: bash bench/size.sh BUILD_DIR [N] [WORK_DIR]
#   N defaults to 100000; WORK_DIR (kept) defaults to a new folder under /tmp.
#   MINSHENG=path, MAKE_STATION=path override the programs taken from BUILD_DIR (to measure an older build).
set -euo pipefail

BUILD=$(realpath "${1:?usage: bench/size.sh BUILD_DIR [N] [WORK_DIR]}")
N=${2:-100000}
WORK=${3:-$(mktemp -d /tmp/minsheng-size.XXXXXX)}
BIN=${MINSHENG:-$BUILD/cli/minsheng}
MAKE_LEDGER=${MAKE_LEDGER:-$BUILD/bench/make_ledger}
STATION=${MAKE_STATION:-$BUILD/bench/make_station}
TODAY=2026-11-25
END=2026-11-20
SUPERVISOR=督办甲
mkdir -p "$WORK"
DB=$WORK/station.db
LEDGER=$WORK/ledger.csv

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
# Bytes per table and index (its pages), largest first.
tables() {
  sqlite3 "$1" "SELECT printf('  %-28s %8.1f MB', name, sum(pgsize) / 1048576.0) FROM dbstat GROUP BY name
                ORDER BY sum(pgsize) DESC"
}

[ -f "$LEDGER" ] || "$MAKE_LEDGER" "$N" "$LEDGER" --end "$END"
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN" --db "$DB" --as $SUPERVISOR init >/dev/null
START=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$WORK/import.mem" "$BIN" --db "$DB" --as $SUPERVISOR import "$LEDGER" >/dev/null
IMPORT_S=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "rows: $N; import: ${IMPORT_S} s, peak $(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/import.mem") MB"
echo "after import: $(mb "$DB") (schema $(sqlite3 "$DB" 'PRAGMA user_version'))"
tables "$DB"
"$STATION" "$DB" "$TODAY" >/dev/null
echo "after make_station: $(mb "$DB"), $(sqlite3 "$DB" 'SELECT count(*) FROM cases') cases, $(sqlite3 "$DB" 'SELECT count(*) FROM events') events"
tables "$DB"
sqlite3 "$DB" VACUUM
echo "after VACUUM: $(mb "$DB")"
