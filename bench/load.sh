#!/usr/bin/env bash
# The web server under load (issue 18 "Load"; not a test, and not part of `make bench`'s RESULTS.md, which
# bench/run.sh writes): a station of about N cases (default 100k: the generated ledger has N × 1.112 rows, of
# which about one in ten is a repeat report joining an open case) built as bench/run.sh builds it (import,
# make_station working the cases), `minsheng serve` on it, then bench/load_client: CLIENTS signed-in clients
# (default 50) for SECONDS (default 60), each pacing itself at RATE requests a second (default 2, so about
# 100 a second in all; 0: no pause, the server's saturation) and making at most MAX requests (default 2000),
# 90% reads (list pages, a case, search, my cases, due-soon) and 10% writes (a new report, a note on a case);
# then the supervisor's per-department table alone. Prints p50/p99 per endpoint, errors, the server's peak
# resident memory (VmHWM), and `audit verify` afterwards.
# The staff, as a station has them: the supervisor who imported the ledger (督办甲), a second supervisor
# (督办乙) and COORDINATORS coordinators (default 46) among whom make_station spreads the cases; all get the
# same password. SUPERVISOR_CLIENTS of the clients (default 4) sign in as the supervisors, the others as
# the coordinators, in turn.
# Targets (issue 18): p99 under 50 ms for reads and 100 ms for writes, zero errors, server under 64 MB.
#
# Usage: bash bench/load.sh BUILD_DIR
# Environment: LOAD_CASES (100000), LOAD_CLIENTS (50), LOAD_SECONDS (60), LOAD_MAX (2000 per client),
# LOAD_RATE (2 per client per second), LOAD_COORDINATORS (46; for a new station), LOAD_SUPERVISOR_CLIENTS (4),
# LOAD_WORK (scratch folder; removed unless LOAD_KEEP=1; a station
# already there is reused), LOAD_TODAY, LOAD_REPORT (a file the figures are also written to).
set -euo pipefail

BUILD=$(realpath "${1:?usage: bench/load.sh BUILD_DIR}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BUILD/cli/minsheng
for tool in "$BIN" "$BUILD/bench/make_ledger" "$BUILD/bench/make_station" "$BUILD/bench/load_client"; do
  [ -x "$tool" ] || { echo "load: $tool is missing; build first (make build)" >&2; exit 1; }
done
N=${LOAD_CASES:-100000}
CLIENTS=${LOAD_CLIENTS:-50}
SECONDS_=${LOAD_SECONDS:-60}
MAX=${LOAD_MAX:-2000}
RATE=${LOAD_RATE:-2}
COORDINATORS=${LOAD_COORDINATORS:-46}
SUPERVISOR_CLIENTS=${LOAD_SUPERVISOR_CLIENTS:-4}
LAST_COVERED=$(grep -oE '^  [0-9]{4}:' "$HERE/../workflows/calendar/cn-holidays.yaml" | tr -dc '0-9\n' | sort -n | tail -1)
TODAY=${LOAD_TODAY:-$(date +%F)}
if [ "${TODAY:0:4}" -gt "$LAST_COVERED" ]; then TODAY="$LAST_COVERED-12-31"; fi
END=$(date -d "$TODAY -5 days" +%F)
WORK=${LOAD_WORK:-$(mktemp -d /tmp/minsheng-load.XXXXXX)}
mkdir -p "$WORK"
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  [ "${LOAD_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
DB=$WORK/station.db
SUPERVISOR=督办甲
PASSWORD=load-test-password-1234

if [ ! -f "$DB" ]; then
  say "a station of about $N cases"
  "$BUILD/bench/make_ledger" $((N * 1112 / 1000)) "$WORK/ledger.csv" --end "$END" >&2
  "$BIN" --db "$DB" --as $SUPERVISOR init >/dev/null
  "$BIN" --db "$DB" --as $SUPERVISOR import "$WORK/ledger.csv" >&2
  "$BUILD/bench/make_station" "$DB" "$TODAY" --actor $SUPERVISOR --coordinators "$COORDINATORS" >&2
  # Deadlines running into the year after the last notice need it provisional (as bench/run.sh does).
  "$BIN" --db "$DB" --as $SUPERVISOR --today "$TODAY" calendar provisional $((LAST_COVERED + 1)) >/dev/null 2>&1 || true
fi
# Every staff member signs in with the same password (set once; a reused station keeps it).
staff_of() { sqlite3 -readonly "$DB" "SELECT group_concat(name, ',') FROM (SELECT name FROM staff WHERE role = '$1' ORDER BY rowid)"; }
SUPERVISORS=$(staff_of supervisor)
COORDINATOR_NAMES=$(staff_of coordinator)
if [ "$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM staff_passwords')" != "$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM staff')" ]; then
  say "passwords for the station's staff"
  for name in ${SUPERVISORS//,/ } ${COORDINATOR_NAMES//,/ }; do
    echo "$PASSWORD" | "$BIN" --db "$DB" --as $SUPERVISOR staff passwd "$name" --password-stdin >/dev/null
  done
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "minsheng serve on 127.0.0.1:$PORT (today $TODAY)"
"$BIN" --db "$DB" --today "$TODAY" serve --listen "127.0.0.1:$PORT" 2>"$WORK/access.log" &
SERVER=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  sleep 0.1
done

CASES=$(sqlite3 -readonly "$DB" 'SELECT count(*) FROM cases' 2>/dev/null || echo '?')
say "$CLIENTS clients, ${SECONDS_} s, $RATE requests/s each, at most $MAX requests each, 90% reads / 10% writes"
REPORT=$WORK/client.txt  # not report.txt: LOAD_REPORT may name that file
STATUS=0
"$BUILD/bench/load_client" 127.0.0.1 "$PORT" "$PASSWORD" "$SUPERVISORS" "$COORDINATOR_NAMES" "$CLIENTS" "$SECONDS_" "$MAX" "$RATE" "$SUPERVISOR_CLIENTS" >"$REPORT" || STATUS=$?
PEAK_KB=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER/status")
THREADS=$(awk '/^Threads/ { print $2 }' "/proc/$SERVER/status")
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
{
  echo "station: $CASES cases ($(du -m "$DB" | cut -f1) MB), today $TODAY; machine: $(nproc) cores, load average before: $LOAD_BEFORE"
  echo
  cat "$REPORT"
  printf '\nserver peak resident memory (VmHWM): %.1f MB; threads at the end: %s\n' "$(awk -v k="$PEAK_KB" 'BEGIN { print k / 1024 }')" "$THREADS"
  echo "access log lines: $(wc -l <"$WORK/access.log")"
  echo "audit verify afterwards: $("$BIN" --db "$DB" --json audit verify)"
} | tee ${LOAD_REPORT:+"$LOAD_REPORT"}
exit $STATUS
