#!/usr/bin/env bash
# The benchmark (`make bench`): builds stations of 10k, 100k and 1M cases by importing generated ledgers
# (bench/make_ledger), works most of their cases through to the end (bench/make_station: dispatch, resolve,
# visit, rejections, reopenings, suspensions, escalations), then times with hyperfine (medians of several
# runs) and measures peak memory with /usr/bin/time -f %M:
#   - import rows/s beside the sqlite3 shell's .import of the same file into a bare table, and their ratio;
#   - `case show`, `case open` (a new case, and a repeat report), `audit overdue` and `case list --search` /
#     `--phone` as whole commands;
#   - `export` (one run: it streams, so its memory must not grow with the station);
#   - the questions that read many cases (report annual, case list and its filters, due-soon, overdue as of a
#     past date and as JSON), each beside the same question asked of sqlite3 on the same file, with both
#     medians and peak memories.
# Writes bench/RESULTS.md with the table and the machine it ran on.
#
# Usage: bash bench/run.sh BUILD_DIR
# Environment: BENCH_SIZES (default "10000 100000 1000000"), BENCH_WORK (scratch folder, default a new one
# under /tmp, removed at the end unless BENCH_KEEP=1), BENCH_TODAY (default today, capped to the last year
# the shipped calendar covers), BENCH_RUNS (latency runs, default 30), BENCH_QUESTION_RUNS (runs of each
# question beside its sqlite3 floor, default 5), BENCH_RESULTS (where to write, default bench/RESULTS.md).
set -euo pipefail

BUILD=$(realpath "${1:?usage: bench/run.sh BUILD_DIR}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$BUILD/cli/minsheng
MAKE_LEDGER=$BUILD/bench/make_ledger
MAKE_STATION=$BUILD/bench/make_station
for tool in "$BIN" "$MAKE_LEDGER" "$MAKE_STATION"; do
  [ -x "$tool" ] || { echo "bench: $tool is missing; build first (make build)" >&2; exit 1; }
done
for tool in hyperfine sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

SIZES=${BENCH_SIZES:-"10000 100000 1000000"}
RUNS=${BENCH_RUNS:-30}
QRUNS=${BENCH_QUESTION_RUNS:-5}  # runs of each question (whole-station reads take seconds at 1M)
# The shipped calendar covers up to the end of this year; later dates cannot be computed (SPEC rule 6).
LAST_COVERED=$(grep -oE '^  [0-9]{4}:' "$HERE/../workflows/calendar/cn-holidays.yaml" | tr -dc '0-9\n' | sort -n | tail -1)
TODAY=${BENCH_TODAY:-$(date +%F)}
if [ "${TODAY:0:4}" -gt "$LAST_COVERED" ]; then TODAY="$LAST_COVERED-12-31"; fi
# The ledgers end five days before TODAY, so the newest cases are still being worked on TODAY.
END=$(date -d "$TODAY -5 days" +%F)

WORK=${BENCH_WORK:-$(mktemp -d /tmp/minsheng-bench.XXXXXX)}
mkdir -p "$WORK"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
RESULTS=${BENCH_RESULTS:-$HERE/RESULTS.md}
SUPERVISOR=督办甲
START=$(date +%s)

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
# hyperfine's median (seconds) from its CSV export.
median() { awk -F, 'NR == 2 { print $4 }' "$1"; }
# Peak resident memory in MB: the largest %M (KB) recorded in a file by /usr/bin/time -a.
peak_mb() { awk 'BEGIN { m = 0 } /^[0-9]+$/ { if ($1 > m) m = $1 } END { printf "%.1f", m / 1024 }' "$1"; }
# Peak memory of one run of a command (MB).
mem_of() {
  local f; f=$(mktemp "$WORK/mem.XXXXXX")
  /usr/bin/time -f %M -o "$f" "$@" >/dev/null 2>&1 || true
  peak_mb "$f"
}
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
fmt_rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
human() { awk -v n="$1" 'BEGIN { if (n >= 1000000) printf "%gM", n / 1000000; else if (n >= 1000) printf "%gk", n / 1000; else print n }'; }

# Start-up: every command is a new process. `minsheng` links neither the server's nor the xlsx writer's
# libraries (cli/full_program.h); the full program it carries links both. Both asked for --help (no database).
say "start-up: minsheng --help beside the full program and /bin/true ($RUNS runs)"
hyperfine -N -w 3 -r "$RUNS" --export-csv "$WORK/start.csv" "$BIN --help" "$BUILD/cli/minsheng_full --help" /bin/true >&2
STARTUP=$(awk -F, 'NR > 1 { printf "%s%.1f", (NR > 2 ? " / " : ""), $4 * 1000 }' "$WORK/start.csv")

IMPORT_ROWS=()
COMMAND_ROWS=()
QUESTION_ROWS=()
NOTES=()

for N in $SIZES; do
  H=$(human "$N")
  D=$WORK/$H
  mkdir -p "$D"
  LEDGER=$D/ledger.csv
  DB=$D/station.db
  say "$H: generating the ledger"
  "$MAKE_LEDGER" "$N" "$LEDGER" --end "$END"
  LEDGER_MB=$(du -m "$LEDGER" | cut -f1)
  IMPORT_RUNS=$([ "$N" -ge 1000000 ] && echo 3 || echo 5)

  say "$H: sqlite3 .import into a bare table ($IMPORT_RUNS runs)"
  rm -f "$D/bare.mem"
  hyperfine --style basic --runs "$IMPORT_RUNS" --export-csv "$D/sqlite.csv" \
    --prepare "rm -f '$D/bare.db' '$D/bare.db-journal'" \
    "/usr/bin/time -a -o '$D/bare.mem' -f %M sqlite3 '$D/bare.db' '.import --csv $LEDGER ledger'" >&2
  SQLITE_S=$(median "$D/sqlite.csv")
  SQLITE_MB=$(peak_mb "$D/bare.mem")

  say "$H: the floor: SQLite alone storing these rows in minsheng's schema ($IMPORT_RUNS runs)"
  # One INSERT ... SELECT per table from the bare table above, with a row of the sizes minsheng writes in every
  # table an import writes: the event (its JSON, a 32-byte hash), the projection row (the case's typed
  # columns), the reporter, the person who acted (case_actors, migration 12), the phone (case_phones) and the
  # search text (case_search_rows and the FTS5 trigram index, written in rowid order as the import's deferred
  # texts are), every index maintained; no application code at all. What the import cannot beat whatever
  # its own code does.
  cat >"$D/floor.sql" <<SQL
ATTACH '$D/bare.db' AS bare;
BEGIN;
INSERT INTO events (seq, case_id, action, at, actor, recorded_at, data, hash)
  SELECT rowid, printf('2026-%07d', rowid), 'open', received_at, '$SUPERVISOR', '2026-11-25T10:00:00',
    json_object('address', address, 'address_key', address, 'category', category, 'deadline_days', 20,
                'reporter', json_object('channel', channel, 'name', reporter, 'phone', phone),
                'step', 'received', 'summary', summary, 'workflow_version', 1),
    randomblob(32)
  FROM bare.ledger;
INSERT INTO cases (id, category, address_key, address_hash, received_at, workflow_version, deadline_days,
                   address, summary, phase, step, suspended, report_count, reopen_count, escalation_level,
                   typical, first_dispatched_at, clock_start, deadline, deadline_problem, suspended_working_days,
                   extended_working_days, last_event_at, last_seq, event_count, tasks)
  SELECT printf('2026-%07d', rowid), category, address, random(), received_at, 1, 20, address, summary,
    'intake', 'received', 0, 1, 0, 0, 0, '', substr(received_at, 1, 10), substr(received_at, 1, 10), '', 0, 0,
    received_at, rowid, 1, 0
  FROM bare.ledger;
INSERT INTO case_reporters (case_id, report_no, name, phone, channel, at, summary)
  SELECT printf('2026-%07d', rowid), 1, reporter, phone, channel, received_at, '' FROM bare.ledger;
INSERT INTO case_actors (case_id, actor, phase, received_at)
  SELECT printf('2026-%07d', rowid), '$SUPERVISOR', 'intake', received_at FROM bare.ledger;
INSERT INTO case_phones (digits, case_id) SELECT phone, printf('2026-%07d', rowid) FROM bare.ledger;
INSERT INTO case_search_rows (row, case_id) SELECT rowid, printf('2026-%07d', rowid) FROM bare.ledger;
INSERT INTO case_search (rowid, body)
  SELECT rowid, printf('2026-%07d', rowid) || char(10) || address || char(10) || summary || char(10) || reporter
    || ' ' || phone
  FROM bare.ledger;
COMMIT;
SQL
  hyperfine --style basic --runs "$IMPORT_RUNS" --export-csv "$D/floor.csv" \
    --prepare "rm -f '$D/floor.db' '$D/floor.db-wal' '$D/floor.db-shm' && '$BIN' --db '$D/floor.db' --as $SUPERVISOR init >/dev/null" \
    "sqlite3 '$D/floor.db' '.read $D/floor.sql'" >&2
  FLOOR_S=$(median "$D/floor.csv")
  rm -f "$D/floor.db" "$D/floor.db-wal" "$D/floor.db-shm"

  say "$H: minsheng import ($IMPORT_RUNS runs, each into a fresh station)"
  rm -f "$D/import.mem"
  hyperfine --style basic --runs "$IMPORT_RUNS" --export-csv "$D/import.csv" \
    --prepare "rm -f '$DB' '$DB-wal' '$DB-shm' && '$BIN' --db '$DB' --as $SUPERVISOR init >/dev/null" \
    "/usr/bin/time -a -o '$D/import.mem' -f %M '$BIN' --db '$DB' --as $SUPERVISOR import '$LEDGER'" >&2
  IMPORT_S=$(median "$D/import.csv")
  IMPORT_MB=$(peak_mb "$D/import.mem")
  # The station holds the last run's import: every row is a case or a repeat report.
  ROWS_CASES=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
  ROWS_REPEATS=$((N - ROWS_CASES))
  IMPORT_ROWS+=("| $H | $LEDGER_MB MB | $(fmt_rate "$N" "$SQLITE_S") | $(fmt_rate "$N" "$IMPORT_S") | **$(fmt_ratio "$IMPORT_S" "$SQLITE_S")×** | $(fmt_rate "$N" "$FLOOR_S") ($(fmt_ratio "$FLOOR_S" "$SQLITE_S")×) | $(fmt_ratio "$IMPORT_S" "$FLOOR_S")× | $(printf '%.2f' "$SQLITE_S") / $(printf '%.2f' "$FLOOR_S") / $(printf '%.2f' "$IMPORT_S") s | $SQLITE_MB / $IMPORT_MB |")

  say "$H: working the cases (make_station)"
  STATION_LOG=$("$MAKE_STATION" "$DB" "$TODAY")
  echo "$STATION_LOG" >&2
  "$BIN" --db "$DB" --as $SUPERVISOR staff add 王协调 --role coordinator >/dev/null
  # The newest cases' deadlines run into next year, whose notice is not out: the station uses the provisional
  # year from the statutory holidays (as a station does in December), so the year's report can be computed.
  NEXT=$((${TODAY:0:4} + 1))
  if [ "$NEXT" -gt "$LAST_COVERED" ]; then
    "$BIN" --db "$DB" --as $SUPERVISOR --today "$TODAY" calendar provisional "$NEXT" >/dev/null
  fi
  # Let the gigabytes just written reach the disk, so the latency runs below measure a station at rest, not
  # the kernel's writeback of the bulk load competing with each command's fsyncs.
  sync
  CASES=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
  EVENTS=$(sqlite3 "$DB" "SELECT count(*) FROM events")
  MIX=$(sqlite3 "$DB" "SELECT group_concat(phase || ' ' || n, ', ') FROM (SELECT phase, count(*) n FROM cases GROUP BY phase ORDER BY n DESC)")
  DB_MB=$(du -m "$DB" | cut -f1)
  ID=$(sqlite3 "$DB" "SELECT id FROM cases WHERE phase = 'closed' ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM cases WHERE phase = 'closed')")
  OVERDUE=$("$BIN" --db "$DB" --today "$TODAY" audit overdue --format csv | tail -n +2 | wc -l)

  say "$H: command latency ($RUNS runs each)"
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/show.csv" \
    "$BIN --db $DB --today $TODAY case show $ID" >&2
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/open_new.csv" \
    "$BIN --db $DB --as 王协调 --today $TODAY case open --category drainage --address 基准路1号 --summary 基准测试 --new" >&2
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/open_repeat.csv" \
    "$BIN --db $DB --as 王协调 --today $TODAY case open --category road --address 基准路2号 --summary 基准测试" >&2
  # An action on a case (issue 13's `case do` target): a note on a case being handled, which decides, appends
  # and saves like any action.
  DO_ID=$(sqlite3 "$DB" "SELECT id FROM cases WHERE phase = 'coordination' ORDER BY id LIMIT 1")
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/do.csv" \
    "$BIN --db $DB --as 王协调 --today $TODAY case do $DO_ID note --note 基准测试" >&2
  # The raw floor the issue quotes, measured here on the same disk in the same run: the sqlite3 shell opening a
  # one-table database, writing one row and exiting, with SQLite's defaults (rollback journal,
  # synchronous=FULL), and the same in WAL mode (whose last close checkpoints and removes the WAL, as
  # minsheng's does). Disk contention moves these as much as minsheng's own figures.
  rm -f "$D/one.db" "$D/one-wal.db"
  sqlite3 "$D/one.db" "CREATE TABLE t (x TEXT)"
  sqlite3 "$D/one-wal.db" "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT)" >/dev/null
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/floor_write.csv" \
    "sqlite3 $D/one.db \"INSERT INTO t VALUES ('基准测试')\"" >&2
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/floor_write_wal.csv" \
    "sqlite3 $D/one-wal.db \"INSERT INTO t VALUES ('基准测试')\"" >&2
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/overdue.csv" \
    "$BIN --db $DB --today $TODAY audit overdue" >&2
  # Finding cases (SPEC Part 2): --search through the trigram index with a case's address (a handful of
  # matches), --phone through the digits index with its first reporter's phone written with separators.
  SEARCH_TEXT=$(sqlite3 "$DB" "SELECT address FROM cases WHERE id = '$ID'")
  PHONE=$(sqlite3 "$DB" "SELECT phone FROM case_reporters WHERE case_id = '$ID' AND report_no = 1")
  PHONE_SPACED="${PHONE:0:3} ${PHONE:3:4}-${PHONE:7}"
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/search.csv" \
    "$BIN --db $DB --today $TODAY case list --search $SEARCH_TEXT" >&2
  hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-csv "$D/phone.csv" \
    "$BIN --db $DB --today $TODAY case list --phone '$PHONE_SPACED'" >&2
  SEARCH_MS=$(ms "$(median "$D/search.csv")")
  PHONE_MS=$(ms "$(median "$D/phone.csv")")
  SHOW_MB=$(mem_of "$BIN" --db "$DB" --today "$TODAY" case show "$ID")
  OPEN_MB=$(mem_of "$BIN" --db "$DB" --as 王协调 --today "$TODAY" case open --category drainage --address 基准路3号 --summary 基准测试)
  OVERDUE_MB=$(mem_of "$BIN" --db "$DB" --today "$TODAY" audit overdue)

  say "$H: export (one run)"
  EXPORT_T=$( { /usr/bin/time -f '%e %M' "$BIN" --db "$DB" --today "$TODAY" export >/dev/null; } 2>&1 | tail -1)
  EXPORT_S=${EXPORT_T% *}
  EXPORT_MB=$(awk -v k="${EXPORT_T#* }" 'BEGIN { printf "%.1f", k / 1024 }')
  # The xlsx ledger streams too (libxlsxwriter's constant-memory mode): its peak must not grow either.
  XLSX_T=$( { /usr/bin/time -f '%e %M' "$BIN" --db "$DB" --today "$TODAY" export --format xlsx --out "$D/ledger.xlsx"; } 2>&1 | tail -1)
  say "$H: export --format xlsx: ${XLSX_T% *} s, peak $(awk -v k="${XLSX_T#* }" 'BEGIN { printf "%.1f", k / 1024 }') MB"

  say "$H: questions beside the sqlite3 floor ($QRUNS runs each)"
  # Each question asked of minsheng as a whole command, and of the sqlite3 shell on the same file as the
  # nearest SQL (the floor: no application code, no clock computed, no formatting), both with their medians
  # and peak memory. Output goes to /dev/null.
  YEAR=${END:0:4}
  ASOF=$(date -d "$END -60 days" +%F)
  SOON=$(date -d "$TODAY +7 days" +%F)
  DEPT=$(sqlite3 "$DB" "SELECT department FROM case_tasks GROUP BY department ORDER BY count(*) DESC LIMIT 1")
  # A whole case as the floor reads it: its row and its reporters (what minsheng reads to show one).
  ROW="c.*, (SELECT group_concat(r.name || r.phone || r.channel || r.at || r.summary) FROM case_reporters r WHERE r.case_id = c.id)"
  NEXT_YEAR=$((YEAR + 1))
  declare -A RATIO=()
  question() {  # LABEL MINSHENG-ARGS... -- SQL   (QUESTION_RUNS overrides $QRUNS for one question)
    local label=$1; shift
    local qruns=${QUESTION_RUNS:-$QRUNS}
    local args=()
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    local sql=$1 key
    key=$(echo "$label" | tr -c 'a-zA-Z0-9' '_')
    printf '%s\n' "$sql" >"$D/q_$key.sql"
    hyperfine --style basic -N --warmup 1 --runs "$qruns" --export-csv "$D/q_$key.csv" \
      "$BIN --db $DB --today $TODAY ${args[*]}" >&2
    hyperfine --style basic -N --warmup 1 --runs "$qruns" --export-csv "$D/f_$key.csv" \
      "sqlite3 $DB -cmd '.read $D/q_$key.sql' .exit" >&2
    local q_mb f_mb q_s f_s
    q_mb=$(mem_of "$BIN" --db "$DB" --today "$TODAY" "${args[@]}")
    f_mb=$(mem_of sqlite3 "$DB" -cmd ".read $D/q_$key.sql" .exit)
    q_s=$(median "$D/q_$key.csv")
    f_s=$(median "$D/f_$key.csv")
    QUESTION_ROWS+=("| $H | \`$label\` | $(ms "$q_s") | $q_mb | $(ms "$f_s") | $f_mb | $(fmt_ratio "$q_s" "$f_s")× |")
    [ -z "${QTAG:-}" ] || RATIO[$QTAG]=$(fmt_ratio "$q_s" "$f_s")
    QMAX_MB=$(printf '%s\n' "${QMAX_MB:-0}" "$q_mb" | sort -n | tail -1)
  }
  RUNNING="phase IN ('intake', 'coordination')"
  QTAG=annual question "report annual --year $YEAR" report annual --year "$YEAR" --format json -- \
    "SELECT category, count(*), sum(phase = 'rejected'), sum(phase IN ('follow_up', 'closed')) FROM cases WHERE received_at >= '$YEAR' AND received_at < '$NEXT_YEAR' GROUP BY category;
SELECT d.department, count(*) FROM case_tasks d JOIN cases c ON c.id = d.case_id WHERE c.received_at >= '$YEAR' AND c.received_at < '$NEXT_YEAR' GROUP BY d.department;
SELECT count(*) FROM events WHERE action = 'visit' AND at >= '$YEAR' AND at < '$NEXT_YEAR';
SELECT count(*) FROM cases WHERE $RUNNING AND deadline < '$NEXT_YEAR';"
  question "case list" case list -- \
    "SELECT id, category, phase, step, address_key, received_at, deadline FROM cases ORDER BY received_at, id;"
  question "case list --json" --json case list -- "SELECT $ROW FROM cases c ORDER BY c.received_at, c.id;"
  QTAG=category question "case list --category road" case list --category road -- \
    "SELECT $ROW FROM cases c WHERE c.category = 'road' ORDER BY c.received_at, c.id;"
  QTAG=department question "case list --department $DEPT" case list --department "$DEPT" -- \
    "SELECT $ROW FROM case_tasks d JOIN cases c ON c.id = d.case_id WHERE d.department = '$DEPT' ORDER BY c.received_at, c.id;"
  QTAG=phase question "case list --phase coordination" case list --phase coordination -- \
    "SELECT $ROW FROM cases c WHERE c.phase = 'coordination' ORDER BY c.received_at, c.id;"
  QTAG=duesoon question "audit due-soon" audit due-soon -- \
    "SELECT $ROW FROM cases c INDEXED BY cases_running_by_deadline WHERE $RUNNING AND deadline <= '$SOON';"
  question "audit overdue --as-of $ASOF" audit overdue --as-of "$ASOF" -- \
    "SELECT $ROW FROM cases c INDEXED BY cases_running_by_deadline WHERE $RUNNING AND deadline < '$ASOF';
SELECT e.data FROM cases c JOIN events e ON e.case_id = c.id WHERE c.last_event_at >= '${ASOF}U' AND c.received_at < '${ASOF}U' AND e.at < '${ASOF}U';"
  question "audit overdue --format json" audit overdue --format json -- \
    "SELECT $ROW FROM cases c INDEXED BY cases_running_by_deadline WHERE $RUNNING AND deadline < '$TODAY';"
  # The log's check: SQLite's own page check and a hash over every event (the shell's sha3; SHA-256 costs the
  # same per byte), against minsheng's verify, which also replays each case against its row. Fewer runs: at
  # 1M each takes tens of seconds.
  QTAG=verify QUESTION_RUNS=3 question "audit verify" audit verify -- \
    "PRAGMA quick_check; SELECT count(sha3(e.data || e.hash || e.case_id || e.action || e.at || e.actor)) FROM events e;"

  SHOW_MS=$(ms "$(median "$D/show.csv")")
  OPEN_NEW_MS=$(ms "$(median "$D/open_new.csv")")
  OPEN_REPEAT_MS=$(ms "$(median "$D/open_repeat.csv")")
  DO_MS=$(ms "$(median "$D/do.csv")")
  OVERDUE_MS=$(ms "$(median "$D/overdue.csv")")
  FLOOR_MS=$(ms "$(median "$D/floor_write.csv")")
  FLOOR_WAL_MS=$(ms "$(median "$D/floor_write_wal.csv")")
  LAST=("$H" "$(fmt_ratio "$IMPORT_S" "$SQLITE_S")" "$SHOW_MS" "$OPEN_NEW_MS" "$OPEN_REPEAT_MS" "$OVERDUE_MS"
        "$(printf '%s\n' "$IMPORT_MB" "$SHOW_MB" "$OPEN_MB" "$OVERDUE_MB" "$EXPORT_MB" | sort -n | tail -1)"
        "$FLOOR_MS" "$FLOOR_WAL_MS" "$SEARCH_MS" "$PHONE_MS" "$DO_MS" "$(fmt_ratio "$IMPORT_S" "$FLOOR_S")"
        "${RATIO[annual]}" "${RATIO[category]}" "${RATIO[department]}" "${RATIO[phase]}" "${RATIO[duesoon]}"
        "${RATIO[verify]}" "$QMAX_MB" "$(awk -v s="$IMPORT_S" 'BEGIN { printf "%.1f", s }')"
        "$(awk -v s="$FLOOR_S" 'BEGIN { printf "%.1f", s }')")
  COMMAND_ROWS+=("| $H | $CASES / $EVENTS | $DB_MB MB | $SHOW_MS | $OPEN_NEW_MS | $OPEN_REPEAT_MS | $DO_MS | $FLOOR_MS / $FLOOR_WAL_MS | $OVERDUE_MS ($OVERDUE) | $SEARCH_MS / $PHONE_MS | $SHOW_MB / $OPEN_MB / $OVERDUE_MB | $EXPORT_S s, $EXPORT_MB MB |")
  NOTES+=("- $H: import made $ROWS_CASES cases and $ROWS_REPEATS repeat reports; $STATION_LOG; phases now: $MIX.")
done

ELAPSED=$(($(date +%s) - START))
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM=$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
{
  echo "# minsheng benchmark results"
  echo
  echo "Generated by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC') in ${ELAPSED} s."
  echo
  echo "Machine: $(nproc) CPUs ($CPU), $MEM memory, $(uname -sr); SQLite $(sqlite3 --version | cut -d' ' -f1),"
  echo "$(hyperfine --version). Reference date (--today): $TODAY; the ledgers end $END."
  echo
  echo "## Import"
  echo
  echo "Rows per second, median of several runs (1M: 3, smaller: 5), each into a fresh database (minsheng) or a"
  echo "fresh bare table (\`sqlite3 DB '.import --csv FILE ledger'\`). Ratio = minsheng time / sqlite3 time."
  echo "The *floor* is SQLite alone writing, with one INSERT ... SELECT per table and no application code, a row of"
  echo "minsheng's sizes per ledger row into every table an import writes (the event, the projection row, the"
  echo "reporter, the person who acted, the phone, the search text and its FTS5 trigram index) with all their"
  echo "indexes (bench/run.sh, floor.sql): the least any import into this schema can cost. Peak memory is the"
  echo "largest resident set of any run."
  echo
  echo "| rows | CSV | sqlite3 .import rows/s | minsheng import rows/s | minsheng / .import | floor rows/s (floor / .import) | minsheng / floor | median s (.import / floor / minsheng) | peak MB (sqlite3 / minsheng) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${IMPORT_ROWS[@]}"
  echo
  echo "## Start-up"
  echo
  echo "\`minsheng --help\` / the full program's \`--help\` (the same program with cpp-httplib, OpenSSL and"
  echo "libxlsxwriter linked in, which \`minsheng\` becomes only for \`serve\` and the xlsx export) / \`/bin/true\`:"
  echo "$STARTUP ms (median of $RUNS runs)."
  echo
  echo "## Commands on the worked stations"
  echo
  echo "Whole-command wall time (process start to exit), median of $RUNS runs (hyperfine -N, 3 warm-up runs)."
  echo "\`case open (new)\` opens a new case (--new); \`case open (repeat)\` attaches a repeat report to an open case."
  echo "\`audit overdue\` is as of $TODAY, table format; in brackets the number of overdue cases it lists."
  echo
  echo "*raw write floor* is the sqlite3 shell writing one row into a one-table database and exiting, with"
  echo "SQLite's defaults / in WAL mode, measured beside each station in the same run (the floor the issue quotes)."
  echo
  echo "| station | cases / events | db size | case show ms | case open (new) ms | case open (repeat) ms | case do ms | raw write floor ms (default / WAL) | audit overdue ms | case list --search / --phone ms | peak MB (show / open / overdue) | export (1 run) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${COMMAND_ROWS[@]}"
  echo
  echo "## Questions beside the sqlite3 floor"
  echo
  echo "Each question as a whole minsheng command and as the nearest SQL in the sqlite3 shell on the same file"
  echo "(the floor: the rows read, no clock computed, nothing formatted), median of $QRUNS runs each, and the"
  echo "peak resident memory of one run of each. Ratio = minsheng / sqlite3."
  echo
  echo "| station | question | minsheng ms | minsheng peak MB | sqlite3 ms | sqlite3 peak MB | ratio |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${QUESTION_ROWS[@]}"
  echo
  # Verdicts against the targets, on the largest station.
  verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 <= t + 0) ? "met" : "NOT met" }'; }
  echo "## Targets (on the ${LAST[0]} station)"
  echo
  echo "| target | measured | |"
  echo "| --- | ---: | --- |"
  echo "| import within 3× of sqlite3 .import | ${LAST[1]}× | $(verdict "${LAST[1]}" 3) |"
  echo "| case show under 10 ms | ${LAST[2]} ms | $(verdict "${LAST[2]}" 10) |"
  echo "| case open under 10 ms (new / repeat) | ${LAST[3]} / ${LAST[4]} ms (raw write floor ${LAST[7]} / ${LAST[8]} ms) | $(verdict "${LAST[3]}" 10) / $(verdict "${LAST[4]}" 10) |"
  echo "| audit overdue under 150 ms | ${LAST[5]} ms | $(verdict "${LAST[5]}" 150) |"
  echo "| case list --search under 300 ms | ${LAST[9]} ms | $(verdict "${LAST[9]}" 300) |"
  echo "| case list --phone under 50 ms | ${LAST[10]} ms | $(verdict "${LAST[10]}" 50) |"
  echo "| peak memory of every command under 32 MB | ${LAST[6]} MB (questions: ${LAST[19]} MB) | $(verdict "${LAST[6]}" 32) / $(verdict "${LAST[19]}" 32) |"
  echo "| case do under 10 ms | ${LAST[11]} ms | $(verdict "${LAST[11]}" 10) |"
  echo
  echo "Issue 13's ratios, each beside the floor measured in the same run:"
  echo
  echo "| target | measured | |"
  echo "| --- | ---: | --- |"
  echo "| report annual ≤ 3× the floor's counting queries | ${LAST[13]}× | $(verdict "${LAST[13]}" 3) |"
  echo "| case list --category ≤ 2× | ${LAST[14]}× | $(verdict "${LAST[14]}" 2) |"
  echo "| case list --department ≤ 2× | ${LAST[15]}× | $(verdict "${LAST[15]}" 2) |"
  echo "| case list --phase ≤ 2× | ${LAST[16]}× | $(verdict "${LAST[16]}" 2) |"
  echo "| audit due-soon ≤ 2× | ${LAST[17]}× | $(verdict "${LAST[17]}" 2) |"
  echo "| audit verify ≤ 2× (quick_check + hashing the log) | ${LAST[18]}× | $(verdict "${LAST[18]}" 2) |"
  echo "| import ≤ 1.5× the SQL-only floor | ${LAST[12]}× | $(verdict "${LAST[12]}" 1.5) |"
  echo "| import ≤ 8× .import | ${LAST[1]}× | $(verdict "${LAST[1]}" 8) |"
  echo "| issue 12: case show within 10% of 5.4 ms (the 2026-11-26 run) | ${LAST[2]} ms | $(verdict "${LAST[2]}" 5.94) |"
  echo "| issue 12: case open (new) within 10% of 6.0 ms | ${LAST[3]} ms | $(verdict "${LAST[3]}" 6.6) |"
  echo "| issue 12: import within 10% of 43.0 s (the floor alone: ${LAST[21]} s) | ${LAST[20]} s | $(verdict "${LAST[20]}" 47.3) |"
  echo "| case open ≤ 2× the raw one-row write (WAL) | ${LAST[3]} / ${LAST[8]} ms = $(fmt_ratio "${LAST[3]}" "${LAST[8]}")× | $(verdict "$(fmt_ratio "${LAST[3]}" "${LAST[8]}")" 2) |"
  echo "| case do ≤ 2× the raw one-row write (WAL) | ${LAST[11]} / ${LAST[8]} ms = $(fmt_ratio "${LAST[11]}" "${LAST[8]}")× | $(verdict "$(fmt_ratio "${LAST[11]}" "${LAST[8]}")" 2) |"
  echo
  echo "## How the stations were made"
  echo
  printf '%s\n' "${NOTES[@]}"
  cat <<'NOTES'

## Notes

- **Import vs `.import`.** `.import` appends one ~140-byte row to one table. Each imported report is, by the
  SPEC's storage design, an event in the hash-chained log (its JSON and a 32-byte SHA-256 hash), a
  projection row of typed columns, a reporter row, the acting person's row, the phone's row and the search
  text in an FTS5 trigram index, with thirteen index entries besides, written in one
  transaction whose WAL spills to disk and is checkpointed at the end: several times the bytes. The *floor*
  column measures that part alone, done by SQLite with no application code; minsheng's own work (CSV
  parsing and validation, NFKC address keys, repeat matching, the engine's events, hashing, JSON) adds about
  as much again. The 3× target is below the floor, so no implementation of this schema can meet it.
- **Issue 12's import target (43.0 s at 1M, within 10%).** It was measured on 2026-11-26, before issue 13
  added the phone, actor and search tables (the FTS5 trigram index among them) and their indexes, and issue
  18 the actor's phase. The floor above writes only what today's schema must hold, with no application code;
  where it takes longer than 47.3 s, no import into this schema can meet the target.
- **Start-up.** `minsheng` needs only libc and libm from the dynamic loader: SQLite, yaml-cpp, libcrypto,
  libsodium, utf8proc and libstdc++ are linked statically; OpenCC is opened on first use (and only for an
  address holding a key of its dictionaries); cpp-httplib (with OpenSSL and brotli) and libxlsxwriter are in
  the full program that `minsheng` carries and becomes for `serve` and the xlsx export (cli/full_program.h).
  Linked into every command, those libraries doubled `case show` (see *Start-up* above).
- **Write latency.** A write command's own work is about 4 ms on an idle disk: process start, reading the workflow's opening terms from
  its row (no YAML is parsed to open a case), the transaction. The rest is the checkpoint SQLite runs when
  the last connection closes (fsync of the WAL and of the file, removal of the WAL), which keeps the
  station one whole file between commands, durable once the command returns. Those fsyncs cost ~1 ms on an
  idle disk and 15+ ms on this VM's shared disk when other work is writing; the *raw write floor* column,
  measured in the same run, moves with them. `PRAGMA synchronous=NORMAL` is set (no fsync at commit).
- Reads (`case show`, `audit overdue`, `export`) open no transaction for writing and do no fsync.
NOTES
} >"$RESULTS"
say "wrote $RESULTS (${ELAPSED} s)"
cat "$RESULTS"
